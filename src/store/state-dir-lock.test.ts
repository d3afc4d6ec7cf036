import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "./open.js";
import { LOCK_FILE, lockStateDir, StateDirInUseError } from "./state-dir-lock.js";

// A pid above Linux's pid_max and macOS's: no process has it.
const DEAD_PID = 2 ** 30;

describe("the PGlite state directory lock", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "ma-lock-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("refuses a second store on an open directory, and lets it in once the first is closed", async () => {
    const first = await openStore({ stateDir: dir });
    await expect(openStore({ stateDir: dir })).rejects.toBeInstanceOf(StateDirInUseError);
    await first.close();
    const second = await openStore({ stateDir: dir });
    await second.close();
  });

  it("names the holder and the way out", async () => {
    const unlock = await lockStateDir(dir);
    const refused = await lockStateDir(dir).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StateDirInUseError);
    expect((refused as Error).message).toContain(`pid ${process.pid}@${hostname()}`);
    expect((refused as Error).message).toContain("MA_STATE_URL");
    await unlock();
  });

  it("takes over the lock of a process that died", async () => {
    await writeFile(join(dir, LOCK_FILE), `pid ${DEAD_PID}@${hostname()}`);
    const unlock = await lockStateDir(dir);
    expect(await readFile(join(dir, LOCK_FILE), "utf8")).toBe(`pid ${process.pid}@${hostname()}`);
    await unlock();
  });

  it("leaves alone a lock it cannot judge: another host's, or an unreadable one", async () => {
    await writeFile(join(dir, LOCK_FILE), `pid ${DEAD_PID}@elsewhere`);
    await expect(lockStateDir(dir)).rejects.toBeInstanceOf(StateDirInUseError);
    await writeFile(join(dir, LOCK_FILE), "");
    await expect(lockStateDir(dir)).rejects.toBeInstanceOf(StateDirInUseError);
  });
});
