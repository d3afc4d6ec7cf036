import type { V1PodTemplateSpec } from "@kubernetes/client-node";
import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { KubernetesConnection } from "../connection.js";
import {
  kubectlNamespace,
  NamespaceParam,
  namespaceOf,
  ObjectName,
  rolloutTimeoutOf,
  TimeoutParam,
} from "../params.js";
import { beforeChanging, KubernetesRefusal } from "../refusal.js";
import {
  currentReplicaSet,
  listReplicaSets,
  ownedBy,
  plainTemplate,
  revisionHistoryOf,
  revisionOf,
  sameTemplate,
} from "../replica-sets.js";
import { readDeployment, rolloutProgress, waitForRollout } from "../rollout.js";
import { PATCH, patchDeployment, readTarget, shown } from "./common.js";

const Params = z.strictObject({
  namespace: NamespaceParam,
  deployment: ObjectName,
  to_revision: z
    .int()
    .min(1)
    .optional()
    .meta({ description: "The revision to go back to (the one before the current unless given)" }),
  timeout: TimeoutParam,
});
type Params = z.infer<typeof Params>;

/** What the step keeps across a crash: the template it is rolling back to, so a re-run does not go back twice. */
const Saved = z.object({
  deployment_uid: z.string(),
  target_revision: z.number(),
  template: z.record(z.string(), z.unknown()),
});

/**
 * `kubernetes.rollout_undo`: what `kubectl rollout undo` does — finds the ReplicaSet of the
 * previous revision (or `to_revision`) and puts its pod template back on the deployment (a JSON
 * patch replacing `spec.template`; unlike kubectl, the deployment's annotations are left alone),
 * then waits for the rollout. The target is kept in the step's progress before the patch, so a
 * run resumed after a crash finishes the same rollback instead of undoing once more.
 *
 * `verify`: the deployment runs a template it ran before — its ReplicaSet carries the revision
 * history the Deployment controller writes when it reuses one (including `to_revision` when
 * given) — and the rollout is complete.
 */
export const kubernetesRolloutUndo = {
  name: "kubernetes.rollout_undo",
  params: Params,
  // Documented static factors: every pod is replaced (blast radius 0.6) by a template that ran
  // before (complexity 0.3, data 0.2); undoing it needs another undo by a person (0.5).
  risk: () => ({ complexity: 0.3, blast_radius: 0.6, reversibility_difficulty: 0.5, data_sensitivity: 0.2 }),
  hasInverse: (_params: unknown) => false,
  describe: (p: Params) =>
    `roll deployment ${shown(p)} back to ${p.to_revision ? `revision ${p.to_revision}` : "its previous revision"}`,
  inverse: (p: Params) => ({
    manual:
      `a rollout undo is undone by another: kubectl ${kubectlNamespace(p.namespace)}rollout undo deployment/${p.deployment} ` +
      "(back to the revision before this step), or kubernetes.set_image to the image wanted",
  }),
  async apply(connection: KubernetesConnection, p: Params, context) {
    const namespace = namespaceOf(connection, p);
    const where = `deployment ${namespace}/${p.deployment}`;
    const before = await beforeChanging(() => readTarget(connection, namespace, p.deployment));
    const saved = Saved.safeParse(context.progress.get());
    let target: { revision: number; template: V1PodTemplateSpec };
    if (saved.success && saved.data.deployment_uid === before.metadata?.uid) {
      target = { revision: saved.data.target_revision, template: saved.data.template as V1PodTemplateSpec };
      context.log(`${where}: resuming the rollback to revision ${target.revision}`);
    } else {
      const owned = ownedBy(before, await beforeChanging(() => listReplicaSets(connection, namespace)));
      target = targetOf(where, revisionOf(before), owned, p.to_revision);
      await context.progress.set({
        deployment_uid: before.metadata?.uid ?? "",
        target_revision: target.revision,
        template: JSON.parse(JSON.stringify(target.template)),
      });
    }
    const from = revisionOf(before);
    if (before.spec?.template && sameTemplate(before.spec.template, target.template)) {
      context.log(
        `${where} already runs the template of revision ${target.revision}; waiting for its rollout`,
      );
    } else {
      context.log(`${where}: rolling back from revision ${from} to revision ${target.revision}`);
      const body = [{ op: "replace", path: "/spec/template", value: target.template }];
      await patchDeployment(connection, namespace, p.deployment, "roll back", body, PATCH.json);
    }
    const { deployment, progress, waitedMs } = await waitForRollout(connection, namespace, p.deployment, {
      timeoutMs: rolloutTimeoutOf(p),
      signal: context.signal,
      log: context.log,
    });
    return {
      figures: {
        from_revision: from,
        to_revision: target.revision,
        revision: revisionOf(deployment),
        rollout_ms: waitedMs,
        ...progress.figures,
      },
    };
  },
  async verify(connection: KubernetesConnection, p: Params) {
    const namespace = namespaceOf(connection, p);
    const deployment = await readDeployment(connection, namespace, p.deployment);
    const current = currentReplicaSet(
      deployment,
      ownedBy(deployment, await listReplicaSets(connection, namespace)),
    );
    if (!current || !rolloutProgress(deployment).done) return false;
    const history = revisionHistoryOf(current);
    return p.to_revision === undefined
      ? history.length > 0
      : history.includes(p.to_revision) || revisionOf(current) === p.to_revision;
  },
} satisfies ActionDef<Params, KubernetesConnection>;

/** The revision to go back to: the given one, or the newest before the current; a refusal when there is none. */
function targetOf(
  where: string,
  currentRevision: number,
  owned: ReturnType<typeof ownedBy>,
  toRevision: number | undefined,
): { revision: number; template: V1PodTemplateSpec } {
  const known = owned.map(revisionOf).filter((r) => r > 0);
  const found =
    toRevision === undefined
      ? owned.find((rs) => revisionOf(rs) > 0 && revisionOf(rs) < currentRevision)
      : owned.find((rs) => revisionOf(rs) === toRevision);
  if (!found?.spec?.template) {
    const revisions = known.length
      ? `its revisions: ${[...known].sort((a, b) => a - b).join(", ")}`
      : "it has no revisions";
    throw new KubernetesRefusal(
      toRevision === undefined
        ? `${where} has no revision before ${currentRevision} to roll back to (${revisions})`
        : `${where} has no revision ${toRevision} (${revisions}): correct params.to_revision`,
    );
  }
  return { revision: revisionOf(found), template: plainTemplate(found.spec.template) };
}
