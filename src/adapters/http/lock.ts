import { ComponentLockedError } from "../component-locked.js";
import type { HttpConnection } from "./connection.js";

/**
 * In-process locks for HTTP components, by component id: a service has no lock a client can
 * take, so this keeps two runs in one process apart, and nothing more.
 */
export function inProcessLocks() {
  const holders = new Map<string, string>();
  return async (connection: HttpConnection, holder: string): Promise<() => Promise<void>> => {
    const held = holders.get(connection.componentId);
    if (held !== undefined)
      throw new ComponentLockedError(`http component '${connection.componentId}'`, held);
    holders.set(connection.componentId, holder);
    return async () => {
      if (holders.get(connection.componentId) === holder) holders.delete(connection.componentId);
    };
  };
}
