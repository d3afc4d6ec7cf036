import { afterAll, beforeAll } from "vitest";
import type { Component } from "../../core/blueprint/schema.js";
import type { StepContext } from "../types.js";
import { kubernetesApply } from "./actions/apply.js";
import { createKubernetesAdapter } from "./adapter.js";
import type { KubernetesConnection } from "./connection.js";

/**
 * What the kubernetes contract suites (adapter.contract.ts, health.contract.ts) run against: any
 * API server that serves the calls the adapter makes. Only the FAKE API server
 * (fake-api-server.ts) does today (fake.test.ts); nothing here has been run against a real cluster.
 */
export interface ClusterUnderTest {
  /** A kubeconfig file for the server, with a token that works. */
  kubeconfigPath: string;
  /** That token: no message, description or figure may contain it. */
  token: string;
  /** A kubeconfig for the same server whose token the server refuses. */
  wrongTokenKubeconfigPath: string;
  createNamespace(name: string): Promise<void>;
  /** An image whose pods never become ready. */
  brokenImage: string;
  close(): Promise<void>;
}

export interface KubernetesBackend {
  name: string;
  start(): Promise<ClusterUnderTest>;
}

/** A step context that keeps its log lines and progress in memory. */
export function stepContext(
  logs: string[] = [],
  signal = new AbortController().signal,
  progress: { value?: Record<string, unknown> } = {},
): StepContext {
  return {
    runId: "run-k8s",
    stepId: "step-k8s",
    signal,
    log: (message) => logs.push(message),
    progress: {
      get: () => progress.value,
      set: async (value) => {
        progress.value = value;
      },
    },
  };
}

export const IMAGE_1 = "registry.example.com/shop/web:1.0.0";
export const IMAGE_2 = "registry.example.com/shop/web:2.0.0";

export function webDeployment(name: string, replicas: number, image = IMAGE_1) {
  const labels = { app: name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "web", image }] } },
    },
  };
}

/**
 * Starts the backend's cluster around a suite (beforeAll/afterAll) and gives its tests an adapter,
 * components, and namespaces of their own.
 */
export function useCluster(backend: KubernetesBackend) {
  const adapter = createKubernetesAdapter({ pollMs: 20 });
  let started: ClusterUnderTest | undefined;
  let namespaceCount = 0;
  beforeAll(async () => {
    started = await backend.start();
  });
  afterAll(() => started?.close());

  const harness = {
    adapter,
    get cluster(): ClusterUnderTest {
      if (!started) throw new Error("the cluster is not started yet (use it inside a test)");
      return started;
    },
    component: (namespace: string, extra: Record<string, unknown> = {}): Component => ({
      id: "web-k8s",
      kind: "kubernetes",
      connection: "env:KUBECONFIG",
      options: { namespace, ...extra },
    }),
    /** A namespace of its own for a test, and a connection to it. */
    async emptyNamespace(extra: Record<string, unknown> = {}) {
      const namespace = `contract-${++namespaceCount}`;
      await harness.cluster.createNamespace(namespace);
      const { connection, describe } = await adapter.connect(harness.component(namespace, extra), {
        KUBECONFIG: harness.cluster.kubeconfigPath,
      });
      return { namespace, connection, describe };
    },
    /** A namespace of its own, with the `web` deployment rolled out in it. */
    async namespaceWithWeb(replicas = 2, extra: Record<string, unknown> = {}) {
      const created = await harness.emptyNamespace(extra);
      const params = kubernetesApply.params.parse({
        manifest: webDeployment("web", replicas),
        timeout: "30s",
      });
      await kubernetesApply.apply(created.connection, params, stepContext());
      return created;
    },
    async imageOf(connection: KubernetesConnection, name = "web") {
      const d = await connection.apps.readNamespacedDeployment({ name, namespace: connection.namespace });
      return d.spec?.template.spec?.containers[0]?.image;
    },
  };
  return harness;
}
