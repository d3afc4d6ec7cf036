import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from "@kubernetes/client-node";
import { stringify } from "safe-stable-stringify";
import { request } from "./api-errors.js";
import type { KubernetesConnection } from "./connection.js";

export const REVISION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
const TEMPLATE_HASH = "pod-template-hash";

/** A ReplicaSet's revision (the Deployment controller's annotation), 0 when it has none. */
export const revisionOf = (object: { metadata?: { annotations?: Record<string, string> } }): number =>
  Number(object.metadata?.annotations?.[REVISION] ?? 0) || 0;

/** The revisions a ReplicaSet had before the controller reused it (a rollback), oldest first. */
export const revisionHistoryOf = (rs: V1ReplicaSet): number[] =>
  (rs.metadata?.annotations?.[REVISION_HISTORY] ?? "")
    .split(",")
    .filter((r) => r !== "")
    .map(Number);

/** Every ReplicaSet of the namespace, listed once. */
export function listReplicaSets(
  connection: KubernetesConnection,
  namespace: string,
): Promise<V1ReplicaSet[]> {
  return request(`list replica sets in ${namespace}`, () =>
    connection.apps.listNamespacedReplicaSet({ namespace }),
  ).then((list) => list.items);
}

/** The ReplicaSets a deployment controls (by owner reference), newest revision first. */
export function ownedBy(deployment: V1Deployment, replicaSets: readonly V1ReplicaSet[]): V1ReplicaSet[] {
  const uid = deployment.metadata?.uid;
  return replicaSets
    .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.controller && o.uid === uid))
    .sort((a, b) => revisionOf(b) - revisionOf(a));
}

/** A pod template without the hash label the controller adds, as `kubectl rollout undo` copies it. */
export function plainTemplate(template: V1PodTemplateSpec): V1PodTemplateSpec {
  const copy = structuredClone(template);
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[TEMPLATE_HASH];
  }
  return copy;
}

/** Whether two pod templates are the same, ignoring the hash label. */
export function sameTemplate(a: V1PodTemplateSpec, b: V1PodTemplateSpec): boolean {
  return stringify(plainTemplate(a)) === stringify(plainTemplate(b));
}

/** The ReplicaSet running a deployment's current template, if the controller made it yet. */
export function currentReplicaSet(
  deployment: V1Deployment,
  owned: readonly V1ReplicaSet[],
): V1ReplicaSet | undefined {
  const template = deployment.spec?.template;
  return template
    ? owned.find((rs) => rs.spec?.template && sameTemplate(rs.spec.template, template))
    : undefined;
}
