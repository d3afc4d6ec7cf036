import { ComponentLockedError } from "../component-locked.js";
import type { KubernetesConnection } from "./connection.js";

/**
 * In-process locks for kubernetes components, by component id: they keep two runs of this
 * process apart, and nothing more. A cluster-wide lock (a coordination.k8s.io Lease that other
 * processes and machines would respect) is not implemented.
 */
export function inProcessLocks() {
  const holders = new Map<string, string>();
  return async (connection: KubernetesConnection, holder: string): Promise<() => Promise<void>> => {
    const held = holders.get(connection.componentId);
    if (held !== undefined) {
      throw new ComponentLockedError(`kubernetes component '${connection.componentId}'`, held);
    }
    holders.set(connection.componentId, holder);
    return async () => {
      if (holders.get(connection.componentId) === holder) holders.delete(connection.componentId);
    };
  };
}
