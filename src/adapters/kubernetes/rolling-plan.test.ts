// Planned by the offline planner and run against a FAKE of the Kubernetes API subset the adapter
// uses (fake-api-server.ts), not a cluster. Nothing here was tried on a real cluster.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Component } from "../../core/blueprint/schema.js";
import { createCatalog } from "../../core/catalog/catalog.js";
import type { ExecutorDeps } from "../../executor/deps.js";
import { createRun, executeRun } from "../../executor/executor.js";
import { offlinePlanner } from "../../planner/offline/offline-planner.js";
import { openSystem } from "../../services/system.js";
import { openStore } from "../../store/open.js";
import { actionRules } from "../registry.js";
import { createKubernetesAdapter } from "./adapter.js";
import { type FakeKubernetes, startFakeKubernetes } from "./fake-api-server.js";

const CLUSTER: Component = {
  id: "cluster",
  kind: "kubernetes",
  connection: "env:KUBECONFIG",
  options: { namespace: "shop" },
};

describe("a rolling update planned from a sentence (offline planner, fake Kubernetes API)", () => {
  let fake: FakeKubernetes;
  let dir: string;
  let env: Record<string, string>;
  const adapters = [createKubernetesAdapter({ pollMs: 20 })];

  beforeAll(async () => {
    fake = await startFakeKubernetes({ stepMs: 10, namespaces: ["shop"] });
    fake.seedDeployment({
      namespace: "shop",
      name: "web",
      image: "registry.example.com/shop/web:2.3.1",
      replicas: 3,
    });
    fake.seedDeployment({
      namespace: "shop",
      name: "worker",
      image: "registry.example.com/shop/worker:1.0.0",
      replicas: 1,
    });
    dir = await mkdtemp(join(tmpdir(), "ma-k8s-plan-"));
    env = { KUBECONFIG: await fake.writeKubeconfig(dir) };
  });
  afterAll(async () => {
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function plan(request: string) {
    const system = openSystem([CLUSTER], adapters, env);
    return offlinePlanner().plan({ request, system, catalog: createCatalog(actionRules()) });
  }

  it("plans kubernetes.set_image for the deployment of the image's repository, and runs it", async () => {
    const result = await plan("roll out registry.example.com/shop/web:2.4.0 with no downtime");
    if (result.kind !== "blueprint") throw new Error(result.reason);
    expect(result.valid).toBe(true);
    const steps = result.blueprint.phases.flatMap((p) => p.steps);
    expect(result.blueprint.phases.map((p) => p.pattern)).toEqual(["rolling"]);
    expect(steps.map((s) => [s.action, s.params])).toEqual([
      [
        "kubernetes.set_image",
        {
          namespace: "shop",
          deployment: "web",
          container: "web",
          image: "registry.example.com/shop/web:2.4.0",
          previous_image: "registry.example.com/shop/web:2.3.1",
        },
      ],
    ]);
    const store = await openStore({ stateDir: ":memory:" });
    try {
      const deps: ExecutorDeps = { store, adapters, env, holder: "test" };
      const run = await createRun(deps, result.blueprint);
      expect((await executeRun(deps, run.id)).status).toBe("completed");
      expect(fake.deployment("shop", "web")?.spec.template.spec.containers[0]?.image).toBe(
        "registry.example.com/shop/web:2.4.0",
      );
    } finally {
      await store.close();
    }
  });

  it("refuses an image that is already running, and asks which deployment when it cannot tell", async () => {
    const same = await plan("roll out registry.example.com/shop/worker:1.0.0 to worker");
    expect(same).toMatchObject({ kind: "refusal", reason: expect.stringMatching(/already runs/) });
    const unknown = await plan("deploy registry.example.com/other/api:9 please");
    expect(unknown).toMatchObject({ kind: "refusal", reason: expect.stringMatching(/say which deployment/) });
  });
});
