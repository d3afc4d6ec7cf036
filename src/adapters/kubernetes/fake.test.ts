// These tests run against a FAKE of the Kubernetes API subset the adapter uses
// (fake-api-server.ts), not against a cluster. Nothing here was tried on a real cluster.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Component } from "../../core/blueprint/schema.js";
import { kubernetesSetImage } from "./actions/set-image.js";
import { kubernetesActionsContract } from "./adapter.contract.js";
import { createKubernetesAdapter } from "./adapter.js";
import { type KubernetesBackend, stepContext } from "./backend.contract.js";
import { type FakeKubernetes, startFakeKubernetes } from "./fake-api-server.js";
import { kubernetesReadingContract } from "./health.contract.js";

const fakeBackend: KubernetesBackend = {
  name: "the fake API server",
  async start() {
    const fake = await startFakeKubernetes({ stepMs: 10 });
    const dir = await mkdtemp(join(tmpdir(), "ma-k8s-"));
    const kubeconfigPath = await fake.writeKubeconfig(dir);
    const wrongTokenKubeconfigPath = join(dir, "wrong-token");
    await writeFile(wrongTokenKubeconfigPath, fake.kubeconfig({ token: `${fake.token}x` }));
    return {
      kubeconfigPath,
      token: fake.token,
      wrongTokenKubeconfigPath,
      createNamespace: async (name) => fake.addNamespace(name),
      brokenImage: "registry.example.com/shop/web:bad",
      close: async () => {
        await fake.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

kubernetesActionsContract(fakeBackend);
kubernetesReadingContract(fakeBackend);

describe("kubernetes adapter: connecting (fake API server)", () => {
  const adapter = createKubernetesAdapter({ pollMs: 20 });
  let fake: FakeKubernetes;
  let dir: string;
  let kubeconfig: string;
  const component = (connection: string | undefined, options?: Record<string, unknown>): Component => ({
    id: "k8s",
    kind: "kubernetes",
    ...(connection !== undefined ? { connection } : {}),
    ...(options ? { options } : {}),
  });

  beforeAll(async () => {
    fake = await startFakeKubernetes({ stepMs: 10 });
    dir = await mkdtemp(join(tmpdir(), "ma-k8s-connect-"));
    kubeconfig = await fake.writeKubeconfig(dir);
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("loads the kubeconfig without sending a request; a path works as well as env:", async () => {
    const before = fake.requests.length;
    const byEnv = await adapter.connect(component("env:KUBECONFIG", { namespace: "shop" }), {
      KUBECONFIG: kubeconfig,
    });
    const byPath = await adapter.connect(component(kubeconfig), {});
    expect(fake.requests.length).toBe(before);
    expect(byEnv.describe).toBe(`kubernetes ${new URL(fake.url).host} namespace shop`);
    expect(byPath.describe).toBe(`kubernetes ${new URL(fake.url).host} namespace default`);
    expect(
      await adapter.healthCheck(byPath.connection, {
        id: "up",
        type: "connectivity",
        stage: "pre",
        component: "k8s",
      }),
    ).toMatchObject({ status: "pass" });
  });

  it.each([
    [undefined, {}, /component 'k8s': no connection given \(expected env:KUBECONFIG/],
    ["env:KUBECONFIG", {}, /env:KUBECONFIG: the variable KUBECONFIG is not set/],
    ["/no/such/kubeconfig", {}, /cannot load the kubeconfig \/no\/such\/kubeconfig: no such file/],
    ["in-cluster", {}, /does not run in a Kubernetes pod/],
  ])("refuses connection %s", async (connection, env, message) => {
    await expect(adapter.connect(component(connection), env)).rejects.toThrow(message);
  });

  it("refuses unknown options and contexts", async () => {
    await expect(adapter.connect(component(kubeconfig, { namspace: "x" }), {})).rejects.toThrow(
      /options: Unrecognized key/,
    );
    await expect(adapter.connect(component(kubeconfig, { context: "prod" }), {})).rejects.toThrow(
      "component 'k8s': the kubeconfig has no context 'prod' (options.context)",
    );
  });

  it("never quotes a broken kubeconfig, which would show its token", async () => {
    const broken = join(dir, "broken");
    await writeFile(broken, `${fake.kubeconfig()}\n  token: ${fake.token}\n: : [\n`);
    const error = await adapter.connect(component(broken), {}).catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /cannot load the kubeconfig .*broken: not valid YAML \(line \d+\)$/,
    );
    expect((error as Error).message).not.toContain(fake.token);
  });

  it("says when the API server does not answer, without the token", async () => {
    const gone = await startFakeKubernetes();
    const path = await gone.writeKubeconfig(await mkdtemp(join(dir, "gone-")));
    await gone.close();
    const { connection } = await adapter.connect(component(path), {});
    const result = await adapter.healthCheck(connection, {
      id: "up",
      type: "connectivity",
      stage: "pre",
      component: "k8s",
    });
    expect(result.status).toBe("fail");
    expect(result.message).toMatch(
      /the API server did not answer \(.*ECONNREFUSED.*\): check that the cluster is up/,
    );
    expect(result.message).not.toContain(gone.token);
  });
});

describe("the fake API server's controller", () => {
  let fake: FakeKubernetes;
  beforeAll(async () => {
    fake = await startFakeKubernetes({ stepMs: 10, namespaces: ["shop"] });
  });
  afterAll(() => fake.close());

  it("seeds a rolled-out deployment, reuses the old replica set on undo, and records its history", async () => {
    const seeded = fake.seedDeployment({ namespace: "shop", name: "web", image: "web:1", replicas: 3 });
    expect(seeded.status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    const adapter = createKubernetesAdapter({ pollMs: 10 });
    const dir = await mkdtemp(join(tmpdir(), "ma-k8s-ctl-"));
    try {
      const { connection } = await adapter.connect(
        {
          id: "k",
          kind: "kubernetes",
          connection: await fake.writeKubeconfig(dir),
          options: { namespace: "shop" },
        },
        {},
      );
      const to = (image: string) =>
        kubernetesSetImage.apply(
          connection,
          kubernetesSetImage.params.parse({ deployment: "web", container: "web", image }),
          stepContext(),
        );
      await to("web:2");
      await to("web:1");
      const sets = fake.replicaSets("shop").map((rs) => ({
        image: rs.spec.template.spec.containers[0]?.image,
        replicas: rs.spec.replicas,
        revision: rs.metadata.annotations?.["deployment.kubernetes.io/revision"],
        history: rs.metadata.annotations?.["deployment.kubernetes.io/revision-history"],
      }));
      expect(sets.sort((a, b) => String(a.image).localeCompare(String(b.image)))).toEqual([
        { image: "web:1", replicas: 3, revision: "3", history: "1" },
        { image: "web:2", replicas: 0, revision: "2", history: undefined },
      ]);
      expect(
        fake.deployment("shop", "web")?.metadata.annotations?.["deployment.kubernetes.io/revision"],
      ).toBe("3");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("answers without the token with 401, and unknown paths with 404", async () => {
    const version = await fetch(`${fake.url}/version`);
    expect(version.status).toBe(200);
    const anonymous = await fetch(`${fake.url}/apis/apps/v1/namespaces/shop/deployments`);
    expect(anonymous.status).toBe(401);
    const unknown = await fetch(`${fake.url}/apis/batch/v1/namespaces/shop/jobs`, {
      headers: { authorization: `Bearer ${fake.token}` },
    });
    expect(unknown.status).toBe(404);
  });
});
