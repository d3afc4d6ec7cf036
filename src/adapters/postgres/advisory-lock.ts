import { createHash } from "node:crypto";
import type { PgConnection } from "./connection.js";
import { ComponentLockedError } from "./errors.js";

/** The first key of every lock this adapter takes ("MA"); the second comes from the database name. */
export const LOCK_CLASS = 0x4d41;
const PREFIX = "ma-lock:";

/**
 * One run per database at a time (DESIGN.md §6): a session advisory lock
 * (`pg_try_advisory_lock(LOCK_CLASS, hash(database))`) held on a connection of its own for as long
 * as the run holds the component. The holder is written into that connection's
 * `application_name`, where a second executor reads it from pg_locks + pg_stat_activity to name
 * it. PostgreSQL keeps 63 bytes of an application_name, so a very long holder is cut there; if
 * the lock's connection dies, PostgreSQL releases the lock.
 */
export async function advisoryLock(connection: PgConnection, holder: string): Promise<() => Promise<void>> {
  const open = connection.client.dedicated;
  if (!open) throw new Error(`${connection.describe} has no second connection for an advisory lock`);
  const session = await open.call(connection.client, applicationName(holder));
  try {
    const { rows } = await session.query<{ db: string }>("SELECT current_database() AS db");
    const key = databaseKey(rows[0]?.db ?? "");
    const taken = await session.query<{ ok: boolean }>(
      "SELECT pg_try_advisory_lock($1::int4, $2::int4) AS ok",
      [LOCK_CLASS, key],
    );
    if (!taken.rows[0]?.ok) throw new ComponentLockedError(connection.describe, await holderOf(session, key));
    return async () => {
      try {
        await session.query("SELECT pg_advisory_unlock($1::int4, $2::int4)", [LOCK_CLASS, key]);
      } finally {
        await session.close();
      }
    };
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
}

/** A non-negative int4 from the database name, so the same database gives the same lock. */
export function databaseKey(database: string): number {
  return createHash("sha256").update(`migration-architect:${database}`).digest().readUInt32BE(0) & 0x7fffffff;
}

/** `ma-lock:` and the holder, printable ASCII only, at most 63 bytes. */
function applicationName(holder: string): string {
  return `${PREFIX}${holder}`.replace(/[^\x20-\x7e]/g, "?").slice(0, 63);
}

async function holderOf(session: { query: PgConnection["client"]["query"] }, key: number): Promise<string> {
  const { rows } = await session.query<{ pid: number; name: string | null }>(
    `SELECT a.pid, a.application_name AS name
       FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.classid = $1::int8::oid AND l.objid = $2::int8::oid
        AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())`,
    [LOCK_CLASS, key],
  );
  const row = rows[0];
  if (!row) return "another session (it has just released the lock, or is not visible to this user)";
  if (row.name?.startsWith(PREFIX)) return row.name.slice(PREFIX.length);
  return `server process ${row.pid}${row.name ? ` (${row.name})` : ""}`;
}
