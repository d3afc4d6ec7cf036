import { randomBytes } from "node:crypto";
import { link, readFile, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { ComponentLockedError } from "./errors.js";

interface LockFileContent {
  holder: string;
  pid: number;
  host: string;
  since: string;
}

/**
 * A lock on a PGlite database directory: the file `<path>.lock`, created atomically (`wx`), with
 * the holder, its pid and host. A lock file whose process is gone (same host, pid not running) is
 * stale and taken over; one from another host is never presumed stale.
 */
export async function fileLock(path: string, describe: string, holder: string): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  const mine: LockFileContent = {
    holder,
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
  };
  const text = `${JSON.stringify(mine)}\n`;
  // The content is written to a file of this process first, then linked into place: link() fails
  // when the lock exists, and a lock file never exists half-written — a process killed between
  // creating the file and writing it would otherwise leave an empty lock that nothing can judge.
  const draft = `${lockPath}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await writeFile(draft, text);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(draft, lockPath);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const existing = await readFile(lockPath, "utf8").catch(() => undefined);
        if (existing === undefined) continue; // released between the two calls: try again
        const held = parse(existing);
        if (attempt === 0 && held && isStale(held)) {
          // Only the file just read is removed: if another process took it over meanwhile, its
          // content differs and the next attempt reports it.
          if ((await readFile(lockPath, "utf8").catch(() => undefined)) === existing) {
            await unlink(lockPath).catch(() => undefined);
          }
          continue;
        }
        const who = held
          ? `${held.holder} (pid ${held.pid} on ${held.host}, since ${held.since})`
          : `an unreadable lock file ${lockPath} (if no process uses the database, delete it)`;
        throw new ComponentLockedError(describe, who);
      }
    }
  } finally {
    await unlink(draft).catch(() => undefined);
  }
  return async () => {
    if ((await readFile(lockPath, "utf8").catch(() => undefined)) === text) await unlink(lockPath);
  };
}

/** The content of a lock file (`<path>.lock`), or undefined when there is none or it is unreadable. */
export async function readLock(path: string): Promise<LockFileContent | undefined> {
  const text = await readFile(`${path}.lock`, "utf8").catch(() => undefined);
  return text === undefined ? undefined : parse(text);
}

function parse(text: string): LockFileContent | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockFileContent>;
    if (typeof value.pid === "number" && typeof value.host === "string") {
      return { holder: String(value.holder), pid: value.pid, host: value.host, since: String(value.since) };
    }
  } catch {}
  return undefined;
}

function isStale(lock: LockFileContent): boolean {
  if (lock.host !== hostname()) return false;
  try {
    process.kill(lock.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
