import { describe, expect, it } from "vitest";
import type { HealthCheck } from "../../core/blueprint/schema.js";
import { changedNothing } from "../changed-nothing.js";
import { kubernetesApply } from "./actions/apply.js";
import { kubernetesRolloutUndo } from "./actions/rollout-undo.js";
import { kubernetesScale } from "./actions/scale.js";
import { kubernetesSetImage } from "./actions/set-image.js";
import {
  IMAGE_1,
  IMAGE_2,
  type KubernetesBackend,
  stepContext,
  useCluster,
  webDeployment,
} from "./backend.contract.js";

/**
 * The lifecycle of every kubernetes action — apply, verify, undo by its inverse, source state by
 * snapshot, apply again — against a backend (backend.contract.ts). Run today against the FAKE
 * API server only.
 */
export function kubernetesActionsContract(backend: KubernetesBackend): void {
  describe(`kubernetes actions against ${backend.name}`, () => {
    const h = useCluster(backend);

    it("set_image: rolls out, verifies, and its inverse with previous_image restores the image", async () => {
      const { connection } = await h.namespaceWithWeb(3);
      const source = await h.adapter.snapshot(connection, "web-k8s");
      const params = kubernetesSetImage.params.parse({
        deployment: "web",
        container: "web",
        image: IMAGE_2,
        previous_image: IMAGE_1,
        timeout: "30s",
      });
      expect(await kubernetesSetImage.verify(connection, params)).toBe(false);
      const logs: string[] = [];
      const outcome = await kubernetesSetImage.apply(connection, params, stepContext(logs));
      expect(outcome.figures).toMatchObject({
        previous_image: IMAGE_1,
        image: IMAGE_2,
        revision: 2,
        ready_replicas: 3,
      });
      expect(logs.join("\n")).toMatch(/waiting: .*replicas run the new template/);
      expect(await kubernetesSetImage.verify(connection, params)).toBe(true);
      const applied = await h.adapter.snapshot(connection, "web-k8s");
      expect(applied.fingerprint).not.toBe(source.fingerprint);
      expect(applied.checksums["deployment/web"]).not.toBe(source.checksums["deployment/web"]);

      // Re-running after a crash changes nothing more.
      await kubernetesSetImage.apply(connection, params, stepContext());
      expect((await h.adapter.snapshot(connection, "web-k8s")).fingerprint).toBe(applied.fingerprint);

      const inverse = kubernetesSetImage.inverse(params);
      expect(inverse).toEqual({
        action: "kubernetes.set_image",
        params: {
          deployment: "web",
          container: "web",
          image: IMAGE_1,
          previous_image: IMAGE_2,
          timeout: "30s",
        },
      });
      if (!("action" in inverse)) throw new Error("expected an inverse action");
      const undo = kubernetesSetImage.params.parse(inverse.params);
      await kubernetesSetImage.apply(connection, undo, stepContext());
      expect(await kubernetesSetImage.verify(connection, undo)).toBe(true);
      expect(await h.imageOf(connection)).toBe(IMAGE_1);
      const back = await h.adapter.snapshot(connection, "web-k8s");
      expect({ fingerprint: back.fingerprint, checksums: back.checksums }).toEqual({
        fingerprint: source.fingerprint,
        checksums: source.checksums,
      });
    });

    it("set_image without previous_image: the inverse is rollout_undo, which restores the old revision once", async () => {
      const { connection } = await h.namespaceWithWeb(2);
      const source = await h.adapter.snapshot(connection, "web-k8s");
      const params = kubernetesSetImage.params.parse({ deployment: "web", container: "web", image: IMAGE_2 });
      await kubernetesSetImage.apply(connection, params, stepContext());
      const inverse = kubernetesSetImage.inverse(params);
      expect(inverse).toEqual({ action: "kubernetes.rollout_undo", params: { deployment: "web" } });
      if (!("action" in inverse)) throw new Error("expected an inverse action");

      const undo = kubernetesRolloutUndo.params.parse(inverse.params);
      expect(await kubernetesRolloutUndo.verify(connection, undo)).toBe(false);
      const progress: { value?: Record<string, unknown> } = {};
      const outcome = await kubernetesRolloutUndo.apply(
        connection,
        undo,
        stepContext([], undefined, progress),
      );
      expect(outcome.figures).toMatchObject({ from_revision: 2, to_revision: 1, revision: 3 });
      expect(await kubernetesRolloutUndo.verify(connection, undo)).toBe(true);
      expect(await h.imageOf(connection)).toBe(IMAGE_1);
      expect((await h.adapter.snapshot(connection, "web-k8s")).fingerprint).toBe(source.fingerprint);

      // A run resumed after a crash finishes the same rollback instead of going back once more.
      await kubernetesRolloutUndo.apply(connection, undo, stepContext([], undefined, progress));
      expect(await h.imageOf(connection)).toBe(IMAGE_1);
      // A fresh undo goes back one revision, as kubectl's does: to 2.0.0.
      await kubernetesRolloutUndo.apply(connection, undo, stepContext());
      expect(await h.imageOf(connection)).toBe(IMAGE_2);
      expect(kubernetesRolloutUndo.hasInverse(undo)).toBe(false);
      expect(kubernetesRolloutUndo.inverse(undo)).toEqual({
        manual: expect.stringMatching(/rollout undo deployment\/web/),
      });
    });

    it("rollout_undo to a given revision, and refusals that change nothing", async () => {
      const { connection, namespace } = await h.namespaceWithWeb(1);
      const fresh = kubernetesRolloutUndo.params.parse({ deployment: "web" });
      const none = await kubernetesRolloutUndo.apply(connection, fresh, stepContext()).catch((e: Error) => e);
      expect(none).toBeInstanceOf(Error);
      expect((none as Error).message).toBe(
        `deployment ${namespace}/web has no revision before 1 to roll back to (its revisions: 1)`,
      );
      expect(changedNothing(none)).toBe(true);

      for (const image of [IMAGE_2, "registry.example.com/shop/web:3.0.0"]) {
        const p = kubernetesSetImage.params.parse({ deployment: "web", container: "web", image });
        await kubernetesSetImage.apply(connection, p, stepContext());
      }
      const toOne = kubernetesRolloutUndo.params.parse({ deployment: "web", to_revision: 1 });
      await kubernetesRolloutUndo.apply(connection, toOne, stepContext());
      expect(await h.imageOf(connection)).toBe(IMAGE_1);
      expect(await kubernetesRolloutUndo.verify(connection, toOne)).toBe(true);
      const missing = kubernetesRolloutUndo.params.parse({ deployment: "web", to_revision: 9 });
      await expect(kubernetesRolloutUndo.apply(connection, missing, stepContext())).rejects.toThrow(
        `deployment ${namespace}/web has no revision 9 (its revisions: 2, 3, 4): correct params.to_revision`,
      );
    });

    it("refuses a missing deployment or container before changing anything", async () => {
      const { connection, namespace } = await h.namespaceWithWeb(1);
      const ghost = kubernetesSetImage.params.parse({
        deployment: "ghost",
        container: "web",
        image: IMAGE_2,
      });
      const error = await kubernetesSetImage.apply(connection, ghost, stepContext()).catch((e: Error) => e);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^deployment ${namespace}/ghost does not exist: check the deployment and namespace params`,
        ),
      );
      expect(changedNothing(error)).toBe(true);
      const wrong = kubernetesSetImage.params.parse({ deployment: "web", container: "app", image: IMAGE_2 });
      await expect(kubernetesSetImage.apply(connection, wrong, stepContext())).rejects.toThrow(
        `deployment ${namespace}/web has no container 'app' (it has: web): correct params.container`,
      );
      expect(await h.imageOf(connection)).toBe(IMAGE_1);
    });

    it("scale: waits for the replicas, and its inverse scales back", async () => {
      const { connection } = await h.namespaceWithWeb(2);
      const source = await h.adapter.snapshot(connection, "web-k8s");
      const params = kubernetesScale.params.parse({ deployment: "web", replicas: 4, previous_replicas: 2 });
      const outcome = await kubernetesScale.apply(connection, params, stepContext());
      expect(outcome.figures).toMatchObject({
        previous_replicas: 2,
        ready_replicas: 4,
        available_replicas: 4,
      });
      expect(await kubernetesScale.verify(connection, params)).toBe(true);
      expect((await h.adapter.snapshot(connection, "web-k8s")).fingerprint).not.toBe(source.fingerprint);

      const inverse = kubernetesScale.inverse(params);
      if (!("action" in inverse)) throw new Error("expected an inverse action");
      const back = kubernetesScale.params.parse(inverse.params);
      expect(back).toMatchObject({ replicas: 2, previous_replicas: 4 });
      await kubernetesScale.apply(connection, back, stepContext());
      expect(await kubernetesScale.verify(connection, back)).toBe(true);
      expect((await h.adapter.snapshot(connection, "web-k8s")).fingerprint).toBe(source.fingerprint);

      const toZero = kubernetesScale.params.parse({ deployment: "web", replicas: 0 });
      await kubernetesScale.apply(connection, toZero, stepContext());
      expect(await kubernetesScale.verify(connection, toZero)).toBe(true);
      expect(kubernetesScale.hasInverse(toZero)).toBe(false);
      expect(kubernetesScale.inverse(toZero)).toEqual({
        manual: expect.stringMatching(/kubectl scale deployment\/web --replicas=<previous count>/),
      });
    });

    it("apply: creates, leaves an equal object alone, replaces, and applies previous back", async () => {
      const { namespace, connection } = await h.emptyNamespace();
      const v1 = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "web-config" },
        data: { mode: "blue" },
      };
      const v2 = { ...v1, data: { mode: "green", extra: "1" } };

      const create = kubernetesApply.params.parse({ manifest: v1 });
      expect(await kubernetesApply.verify(connection, create)).toBe(false);
      expect((await kubernetesApply.apply(connection, create, stepContext())).figures).toMatchObject({
        outcome: "created",
      });
      expect(await kubernetesApply.verify(connection, create)).toBe(true);
      expect((await kubernetesApply.apply(connection, create, stepContext())).figures).toMatchObject({
        outcome: "unchanged",
      });
      expect(kubernetesApply.hasInverse(create)).toBe(false);
      expect(kubernetesApply.inverse(create)).toEqual({
        manual: expect.stringMatching(/delete it \(kubectl delete configmap web-config\)/),
      });

      const change = kubernetesApply.params.parse({ manifest: v2, previous: v1 });
      expect((await kubernetesApply.apply(connection, change, stepContext())).figures).toMatchObject({
        outcome: "replaced",
      });
      expect(await kubernetesApply.verify(connection, change)).toBe(true);
      const inverse = kubernetesApply.inverse(change);
      if (!("action" in inverse)) throw new Error("expected an inverse action");
      const undo = kubernetesApply.params.parse(inverse.params);
      await kubernetesApply.apply(connection, undo, stepContext());
      expect(await kubernetesApply.verify(connection, undo)).toBe(true);
      const live = await connection.core.readNamespacedConfigMap({ name: "web-config", namespace });
      expect(live.data).toEqual({ mode: "blue" });

      // A Deployment is created and waited for.
      const deployment = kubernetesApply.params.parse({ manifest: webDeployment("api", 2) });
      const outcome = await kubernetesApply.apply(connection, deployment, stepContext());
      expect(outcome.figures).toMatchObject({
        kind: "Deployment",
        outcome: "created",
        available_replicas: 2,
      });
      expect(await kubernetesApply.verify(connection, deployment)).toBe(true);
    });

    it("a rollout that never becomes ready times out, naming the deployment and what is not ready", async () => {
      const { connection, namespace } = await h.namespaceWithWeb(2);
      const source = await h.adapter.snapshot(connection, "web-k8s");
      const params = kubernetesSetImage.params.parse({
        deployment: "web",
        container: "web",
        image: h.cluster.brokenImage,
        previous_image: IMAGE_1,
        timeout: "1s",
      });
      const error = await kubernetesSetImage.apply(connection, params, stepContext()).catch((e: Error) => e);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^deployment ${namespace}/web did not finish rolling out within 1s: ` +
            "1 of 2 replicas run the new template; 1 replica is not available; 2 old replicas are still running " +
            `\\(images: web=${h.cluster.brokenImage.replace(/[.:/]/g, "\\$&")}\\)\\. Look at its pods`,
        ),
      );
      expect(changedNothing(error)).toBe(false);
      expect(await kubernetesSetImage.verify(connection, params)).toBe(false);

      const check: HealthCheck = {
        id: "web-rolled-out",
        type: "functional",
        stage: "intra",
        component: "web-k8s",
        params: { deployment: "web", check: "rollout" },
      };
      const failing = await h.adapter.healthCheck(connection, check);
      expect(failing).toMatchObject({ status: "fail" });
      expect(failing.message).toMatch(/the rollout is not complete: 1 of 2 replicas run the new template/);

      const inverse = kubernetesSetImage.inverse(params);
      if (!("action" in inverse)) throw new Error("expected an inverse action");
      await kubernetesSetImage.apply(
        connection,
        kubernetesSetImage.params.parse(inverse.params),
        stepContext(),
      );
      expect(await h.adapter.healthCheck(connection, check)).toMatchObject({ status: "pass" });
      expect((await h.adapter.snapshot(connection, "web-k8s")).fingerprint).toBe(source.fingerprint);
    });

    it("stops waiting when the run is paused", async () => {
      const { connection, namespace } = await h.namespaceWithWeb(1);
      const abort = new AbortController();
      const params = kubernetesSetImage.params.parse({
        deployment: "web",
        container: "web",
        image: h.cluster.brokenImage,
      });
      const step = kubernetesSetImage.apply(connection, params, stepContext([], abort.signal));
      setTimeout(() => abort.abort(), 150);
      await expect(step).rejects.toThrow(
        new RegExp(`^stopped: the run was paused while deployment ${namespace}/web rolled out`),
      );
    });
  });
}
