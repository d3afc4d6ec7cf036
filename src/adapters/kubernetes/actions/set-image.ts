import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { KubernetesConnection } from "../connection.js";
import {
  defined,
  LabelName,
  NamespaceParam,
  namespaceOf,
  ObjectName,
  rolloutTimeoutOf,
  TimeoutParam,
} from "../params.js";
import { beforeChanging, KubernetesRefusal } from "../refusal.js";
import { revisionOf } from "../replica-sets.js";
import { readDeployment, rolloutProgress, waitForRollout } from "../rollout.js";
import { PATCH, patchDeployment, readTarget, shown } from "./common.js";

const Image = z.string().min(1).regex(/^\S+$/, {
  error: "expected an image reference without spaces, such as registry.example.com/web:2.4.0",
});

const Params = z.strictObject({
  namespace: NamespaceParam,
  deployment: ObjectName,
  container: LabelName,
  image: Image,
  previous_image: Image.optional().meta({
    description: "The image before the step: its rollback sets it again (else it undoes the rollout)",
  }),
  timeout: TimeoutParam,
});
type Params = z.infer<typeof Params>;

/**
 * `kubernetes.set_image`: what `kubectl set image` does — a strategic merge patch of one
 * container's image, after which the Deployment controller rolls the pods over — then waits for
 * the rollout to complete (`timeout`, 5m unless given; a pause of the run stops the wait, not the
 * rollout). Re-running it is safe: an image already set is not patched again, only waited for.
 *
 * Its undo sets `previous_image` back when the step gives it. Without it the undo is
 * `kubernetes.rollout_undo`, which goes back one revision: right when this step made a new one,
 * wrong when the image was already set (the step then says so in its notes). Give previous_image.
 */
export const kubernetesSetImage = {
  name: "kubernetes.set_image",
  params: Params,
  // Documented static factors: every pod of the deployment is replaced (blast radius 0.6); a
  // rolling update is a routine change (complexity 0.4) that one more rollout undoes
  // (reversibility 0.3); an image change touches code, not stored data (0.2).
  risk: () => ({ complexity: 0.4, blast_radius: 0.6, reversibility_difficulty: 0.3, data_sensitivity: 0.2 }),
  hasInverse: (_params: unknown) => true,
  describe: (p: Params) =>
    `set the image of container ${p.container} of deployment ${shown(p)} to ${p.image}`,
  inverse: (p: Params) =>
    p.previous_image
      ? {
          action: "kubernetes.set_image",
          params: defined({
            namespace: p.namespace,
            deployment: p.deployment,
            container: p.container,
            image: p.previous_image,
            previous_image: p.image,
            timeout: p.timeout,
          }),
        }
      : {
          action: "kubernetes.rollout_undo",
          params: defined({ namespace: p.namespace, deployment: p.deployment, timeout: p.timeout }),
        },
  async apply(connection: KubernetesConnection, p: Params, context) {
    const namespace = namespaceOf(connection, p);
    const where = `deployment ${namespace}/${p.deployment}`;
    const before = await beforeChanging(() => readTarget(connection, namespace, p.deployment));
    const containers = before.spec?.template.spec?.containers ?? [];
    const current = containers.find((c) => c.name === p.container)?.image;
    if (current === undefined) {
      throw new KubernetesRefusal(
        `${where} has no container '${p.container}' (it has: ${containers.map((c) => c.name).join(", ") || "none"}): correct params.container`,
      );
    }
    const notes: string[] = [];
    if (current === p.image) {
      notes.push(
        `${where}: container ${p.container} already ran ${p.image}; nothing was changed, and a rollback by rollout_undo would go to the revision before it`,
      );
      context.log(`${where}: container ${p.container} already runs ${p.image}; waiting for its rollout`);
    } else {
      if (p.previous_image !== undefined && p.previous_image !== current) {
        notes.push(
          `${where}: container ${p.container} ran ${current}, not previous_image ${p.previous_image}; the rollback sets ${p.previous_image}`,
        );
      }
      context.log(`${where}: container ${p.container}: ${current} → ${p.image}`);
      const body = { spec: { template: { spec: { containers: [{ name: p.container, image: p.image }] } } } };
      await patchDeployment(connection, namespace, p.deployment, "set the image", body, PATCH.strategicMerge);
    }
    const { deployment, progress, waitedMs } = await waitForRollout(connection, namespace, p.deployment, {
      timeoutMs: rolloutTimeoutOf(p),
      signal: context.signal,
      log: context.log,
    });
    return {
      figures: {
        previous_image: current,
        image: p.image,
        revision: revisionOf(deployment),
        rollout_ms: waitedMs,
        ...progress.figures,
      },
      notes,
    };
  },
  async verify(connection: KubernetesConnection, p: Params) {
    const deployment = await readDeployment(connection, namespaceOf(connection, p), p.deployment);
    const image = deployment.spec?.template.spec?.containers.find((c) => c.name === p.container)?.image;
    return image === p.image && rolloutProgress(deployment).done;
  },
} satisfies ActionDef<Params, KubernetesConnection>;
