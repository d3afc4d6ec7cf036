import { advisoryLock } from "./advisory-lock.js";
import type { SqlClient } from "./client.js";
import type { PgConnection } from "./connection.js";
import { ComponentLockedError } from "./errors.js";
import { fileLock } from "./lock-file.js";

/** Holders of in-memory PGlite databases, by client: such a database lives in this process only. */
const memoryHolders = new WeakMap<SqlClient, string>();

/**
 * Holds the component for one run (DESIGN.md §6): an advisory lock on PostgreSQL, a lock file
 * beside a PGlite directory, an in-process lock on `pglite:memory`. Rejects with an error naming
 * the holder.
 */
export async function lockPostgres(connection: PgConnection, holder: string): Promise<() => Promise<void>> {
  const scope = connection.lockScope;
  if (scope.kind === "advisory") return advisoryLock(connection, holder);
  if (scope.kind === "file") return fileLock(scope.path, connection.describe, holder);
  const held = memoryHolders.get(connection.client);
  if (held !== undefined) throw new ComponentLockedError(connection.describe, held);
  memoryHolders.set(connection.client, holder);
  return async () => {
    if (memoryHolders.get(connection.client) === holder) memoryHolders.delete(connection.client);
  };
}
