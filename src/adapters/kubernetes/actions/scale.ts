import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { KubernetesConnection } from "../connection.js";
import {
  defined,
  kubectlNamespace,
  NamespaceParam,
  namespaceOf,
  ObjectName,
  rolloutTimeoutOf,
  TimeoutParam,
} from "../params.js";
import { beforeChanging } from "../refusal.js";
import { readDeployment, rolloutProgress, waitForRollout } from "../rollout.js";
import { PATCH, patchDeployment, readTarget, shown } from "./common.js";

const Replicas = z.int().min(0).max(10_000);

const Params = z.strictObject({
  namespace: NamespaceParam,
  deployment: ObjectName,
  replicas: Replicas,
  previous_replicas: Replicas.optional().meta({
    description: "The replicas before the step: its rollback scales back to them (else the undo is manual)",
  }),
  timeout: TimeoutParam,
});
type Params = z.infer<typeof Params>;

/**
 * `kubernetes.scale`: sets a deployment's `spec.replicas` (a JSON merge patch of the deployment,
 * not of its /scale subresource) and waits until the rollout is complete with that many replicas
 * ready and available and no others left (`timeout`, 5m unless given). A deployment whose
 * rollout is stuck (a bad image) therefore never finishes scaling either: the step fails then.
 * A HorizontalPodAutoscaler on the deployment would override the count; the step does not look.
 */
export const kubernetesScale = {
  name: "kubernetes.scale",
  params: Params,
  // Documented static factors: scaling is simple (complexity 0.2) and touches no data (0.1); it
  // changes capacity (blast radius 0.4) — 0.8 when scaling to zero, which stops the service; the
  // undo is another scale (reversibility 0.2), or a person's when previous_replicas is missing (0.4).
  risk: (params: unknown) => {
    const p = params as Partial<Params>;
    return {
      complexity: 0.2,
      blast_radius: p.replicas === 0 ? 0.8 : 0.4,
      reversibility_difficulty: p.previous_replicas === undefined ? 0.4 : 0.2,
      data_sensitivity: 0.1,
    };
  },
  hasInverse: (params: unknown) => (params as Partial<Params>).previous_replicas !== undefined,
  describe: (p: Params) => `scale deployment ${shown(p)} to ${p.replicas} replicas`,
  inverse: (p: Params) =>
    p.previous_replicas !== undefined
      ? {
          action: "kubernetes.scale",
          params: defined({
            namespace: p.namespace,
            deployment: p.deployment,
            replicas: p.previous_replicas,
            previous_replicas: p.replicas,
            timeout: p.timeout,
          }),
        }
      : {
          manual:
            `scale deployment ${shown(p)} back to the replicas it had before the step (its figures record previous_replicas): ` +
            `kubectl ${kubectlNamespace(p.namespace)}scale deployment/${p.deployment} --replicas=<previous count>. ` +
            "Give the step previous_replicas for an automatic rollback",
        },
  async apply(connection: KubernetesConnection, p: Params, context) {
    const namespace = namespaceOf(connection, p);
    const before = await beforeChanging(() => readTarget(connection, namespace, p.deployment));
    const previous = before.spec?.replicas ?? 1;
    if (previous !== p.replicas) {
      context.log(`deployment ${namespace}/${p.deployment}: replicas ${previous} → ${p.replicas}`);
      const body = { spec: { replicas: p.replicas } };
      await patchDeployment(connection, namespace, p.deployment, "scale", body, PATCH.merge);
    }
    const { progress, waitedMs } = await waitForRollout(connection, namespace, p.deployment, {
      timeoutMs: rolloutTimeoutOf(p),
      signal: context.signal,
      log: context.log,
    });
    return { figures: { previous_replicas: previous, rollout_ms: waitedMs, ...progress.figures } };
  },
  async verify(connection: KubernetesConnection, p: Params) {
    const deployment = await readDeployment(connection, namespaceOf(connection, p), p.deployment);
    return (deployment.spec?.replicas ?? 1) === p.replicas && rolloutProgress(deployment).done;
  },
} satisfies ActionDef<Params, KubernetesConnection>;
