import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ComponentLockedError } from "../component-locked.js";
import { acquirePglite } from "./pglite-shared.js";

/** One process per PGlite directory: another process's live lock turns this one away before PGlite opens it. */
describe("acquirePglite on a directory", () => {
  const root = mkdtempSync(join(tmpdir(), "ma-pglite-shared-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const lockOf = (path: string, pid: number) =>
    writeFileSync(
      `${path}.process.lock`,
      `${JSON.stringify({ holder: `pid ${pid}@${hostname()}`, pid, host: hostname(), since: new Date().toISOString() })}\n`,
    );

  it("is refused while another live process holds the directory, naming it, and never opens it", async () => {
    const path = join(root, "held");
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      lockOf(path, other.pid as number);
      const error = await acquirePglite({ kind: "file", path }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ComponentLockedError);
      expect(String((error as Error).message)).toContain(`pid ${other.pid}`);
      expect(existsSync(path)).toBe(false);
    } finally {
      other.kill("SIGKILL");
    }
  });

  it("takes over the lock of a process that is gone, shares one instance in-process, and frees it on the last release", async () => {
    const path = join(root, "stale");
    const gone = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((resolve) => gone.on("exit", resolve));
    lockOf(path, gone.pid as number);
    const first = await acquirePglite({ kind: "file", path });
    const second = await acquirePglite({ kind: "file", path });
    expect(second.db).toBe(first.db);
    await first.release();
    expect(existsSync(`${path}.process.lock`)).toBe(true);
    await second.release();
    expect(existsSync(`${path}.process.lock`)).toBe(false);
  });
});
