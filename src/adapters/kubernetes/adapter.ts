import { inProcessLocks } from "../in-process-locks.js";
import type { ActionDef, Adapter } from "../types.js";
import { kubernetesApply } from "./actions/apply.js";
import { kubernetesRolloutUndo } from "./actions/rollout-undo.js";
import { kubernetesScale } from "./actions/scale.js";
import { kubernetesSetImage } from "./actions/set-image.js";
import { connectKubernetes, type KubernetesConnection } from "./connection.js";
import { discoverKubernetes } from "./discover.js";
import { healthCheckKubernetes } from "./health-check.js";
import { snapshotKubernetes } from "./snapshot.js";

/** The actions of the kubernetes adapter, in catalogue order. */
export const kubernetesActions = [
  kubernetesSetImage,
  kubernetesScale,
  kubernetesApply,
  kubernetesRolloutUndo,
] as unknown as ReadonlyArray<ActionDef<Record<string, unknown>, KubernetesConnection>>;

export interface KubernetesAdapterOptions {
  /** How often steps poll a rollout (1s unless given; tests against the fake use less). */
  pollMs?: number;
}

/**
 * Builds a `kubernetes` adapter with its own table of in-process locks. Everything it does goes
 * through @kubernetes/client-node to the API server of the component's kubeconfig. The locks keep
 * two runs of this process apart only: a cluster-wide lock (a coordination.k8s.io Lease that other
 * processes and machines would respect) is not implemented.
 */
export function createKubernetesAdapter(
  options: KubernetesAdapterOptions = {},
): Adapter<KubernetesConnection> {
  const pollMs = options.pollMs ?? 1_000;
  return {
    kind: "kubernetes",
    actions: kubernetesActions,
    connect: (component, env) => connectKubernetes(component, env, pollMs),
    discover: discoverKubernetes,
    healthCheck: healthCheckKubernetes,
    snapshot: snapshotKubernetes,
    lock: inProcessLocks("kubernetes"),
  };
}

/** The `kubernetes` adapter of this build: set_image, scale, apply, rollout_undo; in-process locks. */
export const kubernetesAdapter = createKubernetesAdapter();
