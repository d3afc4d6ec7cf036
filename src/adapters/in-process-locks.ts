import { ComponentLockedError } from "./component-locked.js";

/**
 * In-process locks by component id, for components that offer no lock of their own to take (a
 * shell, an HTTP service, a router): they keep two runs of this process apart, and nothing more.
 * `kind` names the component in the refusal.
 */
export function inProcessLocks(kind: string) {
  const holders = new Map<string, string>();
  return async (connection: { componentId: string }, holder: string): Promise<() => Promise<void>> => {
    const held = holders.get(connection.componentId);
    if (held !== undefined)
      throw new ComponentLockedError(`${kind} component '${connection.componentId}'`, held);
    holders.set(connection.componentId, holder);
    return async () => {
      if (holders.get(connection.componentId) === holder) holders.delete(connection.componentId);
    };
  };
}
