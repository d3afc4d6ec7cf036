import { createHash } from "node:crypto";
import { stringify } from "safe-stable-stringify";

/**
 * The shapes of the objects the FAKE API server (fake-api-server.ts) keeps: the fields of apps/v1
 * Deployment and ReplicaSet and of core/v1 Service and ConfigMap that the adapter reads or writes.
 * Everything else an object carries is kept as it came, unread.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  [key: string]: unknown;
}

export interface Container {
  name: string;
  image: string;
  [key: string]: unknown;
}

export interface PodTemplate {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  spec: { containers: Container[]; [key: string]: unknown };
}

/** Counts are left out when zero, as the API server leaves them out (`omitempty`). */
export interface WorkloadStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

export interface FakeDeployment {
  apiVersion: "apps/v1";
  kind: "Deployment";
  metadata: ObjectMeta;
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: PodTemplate;
    [key: string]: unknown;
  };
  status: WorkloadStatus;
}

export interface FakeReplicaSet {
  apiVersion: "apps/v1";
  kind: "ReplicaSet";
  metadata: ObjectMeta;
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: PodTemplate };
  status: WorkloadStatus;
}

export interface FakeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export const REVISION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
export const TEMPLATE_HASH = "pod-template-hash";

/** A pod template without the label the controller adds, as the controller compares them. */
export function plainTemplate(template: PodTemplate): PodTemplate {
  const copy = structuredClone(template);
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[TEMPLATE_HASH];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return copy;
}

/** The `pod-template-hash` of a template: a short hash of its content. */
export function templateHash(template: PodTemplate): string {
  return createHash("sha256")
    .update(stringify(plainTemplate(template)))
    .digest("hex")
    .slice(0, 10);
}

/** Whether two pod templates are the same, ignoring the hash label. */
export function sameTemplate(a: PodTemplate, b: PodTemplate): boolean {
  return stringify(plainTemplate(a)) === stringify(plainTemplate(b));
}

/** The `status` of a workload with its zero counts left out. */
export function withoutZeros(status: Required<Omit<WorkloadStatus, "conditions">>): WorkloadStatus {
  return Object.fromEntries(Object.entries(status).filter(([, value]) => value !== 0)) as WorkloadStatus;
}

export const revisionOf = (object: { metadata: ObjectMeta }): number =>
  Number(object.metadata.annotations?.[REVISION] ?? 0);
