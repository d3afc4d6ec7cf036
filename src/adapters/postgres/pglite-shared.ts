import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";

/** A PGlite database: a directory, or memory (a new, empty database each time). */
export type PgliteTarget = { kind: "file"; path: string } | { kind: "memory" };

export interface SharedPglite {
  db: PGlite;
  /** Gives the instance back; the last release of a directory closes it. */
  release(): Promise<void>;
}

interface Entry {
  db: Promise<PGlite>;
  refs: number;
}

/**
 * PGlite runs PostgreSQL inside this process, one instance per data directory: two instances on
 * the same directory would corrupt it. Every user of a directory in this process (the executor's
 * connection, the demo's simulated client, a health check) therefore shares one instance,
 * counted here and closed by the last release. Other processes are kept out by the lock file
 * (`lock-file.ts`), not by this table.
 */
const open = new Map<string, Entry>();

export async function acquirePglite(target: PgliteTarget): Promise<SharedPglite> {
  if (target.kind === "memory") {
    const db = await PGlite.create();
    return { db, release: () => (db.closed ? Promise.resolve() : db.close()) };
  }
  const path = resolve(target.path);
  let entry = open.get(path);
  if (!entry) {
    entry = { db: PGlite.create(path), refs: 0 };
    open.set(path, entry);
    entry.db.catch(() => open.delete(path)); // a failed open is not cached
  }
  entry.refs++;
  const current = entry;
  const db = await current.db;
  let released = false;
  return {
    db,
    release: async () => {
      if (released) return;
      released = true;
      if (--current.refs > 0) return;
      open.delete(path);
      if (!db.closed) await db.close();
    },
  };
}
