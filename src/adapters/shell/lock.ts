import { ComponentLockedError } from "../component-locked.js";

/**
 * In-process locks by component id (shell, http, traffic components): a command has no server to hold a lock
 * on, so this keeps two runs in one process apart, and nothing more.
 */
export function inProcessLocks() {
  const holders = new Map<string, string>();
  return async (connection: { componentId: string }, holder: string): Promise<() => Promise<void>> => {
    const held = holders.get(connection.componentId);
    if (held !== undefined)
      throw new ComponentLockedError(`shell component '${connection.componentId}'`, held);
    holders.set(connection.componentId, holder);
    return async () => {
      if (holders.get(connection.componentId) === holder) holders.delete(connection.componentId);
    };
  };
}
