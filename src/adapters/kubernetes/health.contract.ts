import { beforeAll, describe, expect, it } from "vitest";
import type { HealthCheck } from "../../core/blueprint/schema.js";
import { kubernetesApply } from "./actions/apply.js";
import { kubernetesSetImage } from "./actions/set-image.js";
import { IMAGE_1, IMAGE_2, type KubernetesBackend, stepContext, useCluster } from "./backend.contract.js";
import type { KubernetesConnection } from "./connection.js";

/**
 * What the kubernetes adapter reports rather than changes — its description, discovery, health
 * checks — and what it must never report: the kubeconfig's token. Against a backend
 * (backend.contract.ts); run today against the FAKE API server only.
 */
export function kubernetesReadingContract(backend: KubernetesBackend): void {
  describe(`kubernetes discovery, health checks and secrets against ${backend.name}`, () => {
    const h = useCluster(backend);

    it("describes the component by server and namespace, never by credentials", async () => {
      const { describe, namespace } = await h.namespaceWithWeb(1);
      expect(describe).toMatch(new RegExp(`^kubernetes [\\w.:\\[\\]-]+ namespace ${namespace}$`));
      expect(describe).not.toContain(h.cluster.token);
    });

    it("discovers deployments, services and replica sets", async () => {
      const { connection } = await h.namespaceWithWeb(2);
      const service = {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web" },
        spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
      };
      await kubernetesApply.apply(
        connection,
        kubernetesApply.params.parse({ manifest: service }),
        stepContext(),
      );
      const found = await h.adapter.discover(connection);
      expect(found).toMatchObject({
        kind: "kubernetes",
        namespace: connection.namespace,
        deployments: [
          {
            name: "web",
            replicas: { desired: 2, ready: 2, updated: 2, available: 2 },
            containers: [{ name: "web", image: IMAGE_1 }],
            selector: { app: "web" },
            revision: 1,
          },
        ],
        services: [
          {
            name: "web",
            type: "ClusterIP",
            selector: { app: "web" },
            ports: [{ name: "http", port: 80, target_port: 8080 }],
          },
        ],
        replica_sets: [{ deployment: "web", revision: 1, replicas: 2, ready: 2, images: [IMAGE_1] }],
      });
    });

    describe("health checks", () => {
      let connection: KubernetesConnection;
      beforeAll(async () => {
        ({ connection } = await h.namespaceWithWeb(2, { deployment: "web" }));
      });
      const check = (type: HealthCheck["type"], params?: Record<string, unknown>): HealthCheck => ({
        id: "c",
        type,
        stage: "pre",
        component: "web-k8s",
        ...(params ? { params } : {}),
      });

      it.each([
        [
          "connectivity",
          check("connectivity"),
          /answered \(Kubernetes v[\d.]+.*\); namespace contract-\d+ is there/,
        ],
        ["functional rollout (options.deployment)", check("functional"), /the rollout is complete \(web=/],
        [
          "functional ready",
          check("functional", { deployment: "web", check: "ready", min_ready: 2 }),
          /2 replicas ready/,
        ],
        ["capacity", check("capacity"), /2 of 2 replicas ready/],
      ])("passes: %s", async (_name, c, message) => {
        const result = await h.adapter.healthCheck(connection, c);
        expect(result, result.message).toMatchObject({ status: "pass", check_id: "c", type: c.type });
        expect(result.message).toMatch(message);
      });

      it.each([
        [
          "functional ready, too few",
          check("functional", { check: "ready", min_ready: 3 }),
          /only 2 replicas ready, 3 wanted/,
        ],
        [
          "functional, no such deployment",
          check("functional", { deployment: "ghost" }),
          /deployment contract-\d+\/ghost does not exist/,
        ],
        [
          "capacity, a namespace without the deployment",
          check("capacity", { namespace: "nowhere" }),
          /deployment nowhere\/web does not exist/,
        ],
        [
          "connectivity, no namespace",
          check("connectivity", { namespace: "nowhere" }),
          /namespace nowhere does not exist/,
        ],
        ["bad params", check("functional", { check: "healthy" }), /params\.check/],
        [
          "performance",
          check("performance"),
          /connectivity, functional and capacity checks, not performance/,
        ],
        ["data_integrity", check("data_integrity"), /not data_integrity/],
      ])("fails: %s", async (_name, c, message) => {
        const result = await h.adapter.healthCheck(connection, c);
        expect(result.status).toBe("fail");
        expect(result.message).toMatch(message);
      });
    });

    it("never puts the token in a message: refused credentials, unreachable server, describe", async () => {
      const env = { KUBECONFIG: h.cluster.wrongTokenKubeconfigPath };
      const { connection, describe } = await h.adapter.connect(h.component("default"), env);
      const texts: string[] = [describe];
      const result = await h.adapter.healthCheck(connection, check401());
      expect(result.status).toBe("fail");
      expect(result.message).toMatch(/refused the credentials \(401 Unauthorized\)/);
      texts.push(result.message, JSON.stringify(result.figures));
      for (const attempt of [
        h.adapter.discover(connection),
        h.adapter.snapshot(connection, "web-k8s"),
        kubernetesSetImage.apply(
          connection,
          kubernetesSetImage.params.parse({ deployment: "web", container: "web", image: IMAGE_2 }),
          stepContext(),
        ),
      ]) {
        const error = await attempt.then(
          () => new Error("expected a failure"),
          (e: Error) => e,
        );
        expect(error.message).toMatch(/401/);
        texts.push(error.message, String(error.stack));
      }
      for (const text of texts) {
        expect(text).not.toContain(h.cluster.token);
        expect(text).not.toContain(h.cluster.token.slice(-12));
      }
    });

    it("holds a component for one run at a time, in this process", async () => {
      const env = { KUBECONFIG: h.cluster.kubeconfigPath };
      const a = (await h.adapter.connect(h.component("default"), env)).connection;
      const b = (await h.adapter.connect(h.component("default"), env)).connection;
      const release = await h.adapter.lock(a, "pid 1@h (run r1)");
      await expect(h.adapter.lock(b, "pid 2@h (run r2)")).rejects.toThrow(
        "kubernetes component 'web-k8s' is locked by pid 1@h (run r1)",
      );
      await release();
      await (await h.adapter.lock(b, "pid 2@h (run r2)"))();
    });
  });
}

const check401 = (): HealthCheck => ({ id: "up", type: "connectivity", stage: "pre", component: "web-k8s" });
