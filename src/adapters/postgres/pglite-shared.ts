import { hostname } from "node:os";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { ComponentLockedError } from "../component-locked.js";
import { fileLock, readLock } from "./lock-file.js";

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
    entry = { db: openFile(path), refs: 0 };
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
      try {
        if (!db.closed) await db.close();
      } finally {
        await processLocks.get(`file:${path}`)?.();
        processLocks.delete(`file:${path}`);
      }
    },
  };
}

/** The process-level lock of each database directory open here, by key: released on last close. */
const processLocks = new Map<string, () => Promise<void>>();

/**
 * Opens a database directory for this process only. The lock (`<path>.process.lock`) is taken
 * before PGlite touches the directory, so a second process is turned away without ever opening it;
 * the error names the run that holds it when there is one (its `<path>.lock`).
 */
async function openFile(path: string): Promise<PGlite> {
  const describe = `pglite:${path}`;
  try {
    processLocks.set(
      `file:${path}`,
      await fileLock(`${path}.process`, describe, `pid ${process.pid}@${hostname()}`),
    );
  } catch (error) {
    if (!(error instanceof ComponentLockedError)) throw error;
    throw new ComponentLockedError(describe, (await runHolder(path)) ?? error.holder);
  }
  try {
    return await PGlite.create(path);
  } catch (error) {
    await processLocks.get(`file:${path}`)?.();
    processLocks.delete(`file:${path}`);
    throw error;
  }
}

/**
 * The run that holds a directory, from its run lock (`<path>.lock`). A process that has just
 * opened the directory takes that lock a moment later: it is waited for, briefly, so that the
 * refusal names the run rather than only its process.
 */
async function runHolder(path: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const holder = (await readLock(path))?.holder;
    if (holder) return holder;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}
