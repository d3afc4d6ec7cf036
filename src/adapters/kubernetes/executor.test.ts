// These tests run the executor against a FAKE of the Kubernetes API subset the adapter uses
// (fake-api-server.ts), not against a cluster. Nothing here was tried on a real cluster.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Blueprint, Step } from "../../core/blueprint/schema.js";
import type { ExecutorDeps } from "../../executor/deps.js";
import { createRun, executeRun } from "../../executor/executor.js";
import { openStore } from "../../store/open.js";
import type { Store } from "../../store/types.js";
import { createKubernetesAdapter } from "./adapter.js";
import { type FakeKubernetes, startFakeKubernetes } from "./fake-api-server.js";

const WEB = {
  id: "web",
  kind: "kubernetes",
  connection: "env:KUBECONFIG",
  options: { namespace: "shop", deployment: "web" },
};

const step = (id: string, action: string, params: Record<string, unknown>): Step => ({
  id,
  name: id,
  component: "web",
  action,
  params,
  rollback: { inverse: true },
  estimated_duration: "10s",
  downtime: "0s",
});

function deploy(id: string, image: string, previous: string, replicas: number): Blueprint {
  const steps = [
    step("set-image", "kubernetes.set_image", {
      deployment: "web",
      container: "web",
      image,
      previous_image: previous,
      timeout: "2s",
    }),
    step("scale", "kubernetes.scale", { deployment: "web", replicas, previous_replicas: 2 }),
  ];
  return {
    id,
    name: id,
    version: "1.0",
    created_at: "2026-11-25T10:00:00Z",
    source_state: { components: [WEB] },
    target_state: { components: [WEB] },
    phases: [
      {
        id: "deploy",
        name: "deploy web",
        steps,
        health_checks: [
          { id: "api-up", type: "connectivity", stage: "pre", component: "web" },
          {
            id: "rolled-out",
            type: "functional",
            stage: "intra",
            component: "web",
            params: { check: "rollout" },
          },
          { id: "all-ready", type: "capacity", stage: "post", component: "web" },
        ],
      },
    ],
    dependency_graph: { edges: [{ from: "set-image", to: "scale" }] },
  };
}

describe("the executor on the kubernetes adapter (fake API server)", () => {
  let fake: FakeKubernetes;
  let dir: string;
  let store: Store;
  let deps: ExecutorDeps;
  const image = () => fake.deployment("shop", "web")?.spec.template.spec.containers[0]?.image;
  const replicas = () => fake.deployment("shop", "web")?.spec.replicas;

  beforeAll(async () => {
    fake = await startFakeKubernetes({ stepMs: 10, namespaces: ["shop"] });
    fake.seedDeployment({ namespace: "shop", name: "web", image: "web:1.0.0", replicas: 2 });
    dir = await mkdtemp(join(tmpdir(), "ma-k8s-exec-"));
    store = await openStore({ stateDir: ":memory:" });
    deps = {
      store,
      adapters: [createKubernetesAdapter({ pollMs: 20 })],
      env: { KUBECONFIG: await fake.writeKubeconfig(dir) },
      holder: `pid ${process.pid}@test`,
    };
  });
  afterAll(async () => {
    await store?.close();
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("runs a deploy to the end, then rolls back one whose image never becomes ready", async () => {
    const good = await createRun(deps, deploy("web-2-0-0", "web:2.0.0", "web:1.0.0", 3));
    const done = await executeRun(deps, good.id);
    const goodEvents = await store.events(good.id);
    expect(done.status, JSON.stringify(goodEvents.filter((e) => e.type.endsWith("failed")))).toBe(
      "completed",
    );
    expect([image(), replicas()]).toEqual(["web:2.0.0", 3]);

    const bad = await createRun(deps, deploy("web-bad", "web:bad", "web:2.0.0", 4));
    const rolledBack = await executeRun(deps, bad.id);
    expect(rolledBack.status).toBe("rolled_back");
    const events = await store.events(bad.id);
    const failed = events.find((e) => e.type === "step.failed");
    expect(failed?.step_id).toBe("set-image");
    expect(String(failed?.data.error)).toMatch(
      /^deployment shop\/web did not finish rolling out within 2s: .*not available.*\(images: web=web:bad\)/,
    );
    expect(events.filter((e) => e.type === "step.rolled_back").map((e) => e.step_id)).toEqual(["set-image"]);
    expect([image(), replicas()]).toEqual(["web:2.0.0", 3]);
    expect(JSON.stringify(events)).not.toContain(fake.token);
  });
});
