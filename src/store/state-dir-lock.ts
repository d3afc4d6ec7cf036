import { randomBytes } from "node:crypto";
import { link, readFile, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

/** The lock file of a PGlite state directory, beside PGlite's data directory. */
export const LOCK_FILE = "pglite.lock";

/** Another live process has the state directory open. */
export class StateDirInUseError extends Error {
  override readonly name = "StateDirInUseError";

  constructor(
    readonly stateDir: string,
    readonly holder: string,
  ) {
    super(
      `the state directory ${stateDir} is in use by ${holder || "another process"}: PGlite serves one process at a time ` +
        `(set MA_STATE_URL to share runs on PostgreSQL; remove ${join(stateDir, LOCK_FILE)} if no such process runs)`,
    );
  }
}

/**
 * Takes the state directory for this process and returns what lets it go. PGlite is a whole
 * PostgreSQL server inside this process, with its own buffers and WAL: two processes on one
 * directory overwrite each other's runs, silently (tried: the runs of the first to close were
 * lost). A lock left by a process that died (a killed run) is taken over, so `resume` works
 * after a crash.
 */
export async function lockStateDir(stateDir: string): Promise<() => Promise<void>> {
  const path = join(stateDir, LOCK_FILE);
  const me = `pid ${process.pid}@${hostname()}`;
  // Written aside, then linked into place (link fails when the lock exists): a process killed
  // while taking the lock never leaves an empty one behind.
  const draft = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await writeFile(draft, me);
  try {
    // Two tries: the second after clearing a stale lock.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await link(draft, path);
        return () => rm(path, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = (await readFile(path, "utf8").catch(() => "")).trim();
        if (!isStale(holder)) throw new StateDirInUseError(stateDir, holder);
        await rm(path, { force: true });
      }
    }
    throw new StateDirInUseError(stateDir, "");
  } finally {
    await rm(draft, { force: true });
  }
}

/** Whether a lock's holder is known to be gone: a process of this host that no longer runs. */
function isStale(holder: string): boolean {
  const match = /^pid (\d+)@(.*)$/.exec(holder);
  // An unreadable lock, or one from another host (a shared disk), cannot be judged: it stands.
  if (!match || match[2] !== hostname()) return false;
  try {
    process.kill(Number(match[1]), 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
