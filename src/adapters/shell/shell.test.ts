import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Component, HealthCheck } from "../../core/blueprint/schema.js";
import type { StepContext } from "../types.js";
import { createShellAdapter, shellAdapter } from "./adapter.js";
import type { ShellConnection } from "./connection.js";
import { shellExec } from "./exec.js";

const NODE = process.execPath;
const node = (code: string, ...args: string[]) => [NODE, "-e", code, ...args];

function context(signal = new AbortController().signal): StepContext {
  return {
    runId: "run-1",
    stepId: "step-1",
    signal,
    log: () => undefined,
    progress: { get: () => undefined, set: async () => undefined },
  };
}

/** Whether a process runs: gone, or a zombie nobody has reaped yet (this container's init does not), is not. */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

let dir: string;
let shell: ShellConnection;
const component = (options?: Record<string, unknown>): Component => ({
  id: "deploy",
  kind: "shell",
  ...(options ? { options } : {}),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ma-shell-"));
  shell = (await shellAdapter.connect(component({ cwd: dir, env: { STAGE: "test" } }), {})).connection;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("shell.exec", () => {
  it("lifecycle: apply → verify → rollback command → source state → apply again", async () => {
    const snapshotting = (
      await shellAdapter.connect(
        component({
          cwd: dir,
          snapshot_argv: node("console.log(require('fs').readdirSync('.').sort().join(','))"),
        }),
        {},
      )
    ).connection;
    const source = await shellAdapter.snapshot(snapshotting, "deploy");
    expect(source.fingerprint).toMatch(/^sha256:/);
    const params = shellExec.params.parse({
      argv: node("require('fs').writeFileSync('marker', 'v2')"),
      timeout: "30s",
    });
    const outcome = await shellExec.apply(snapshotting, params, context());
    expect(outcome.figures).toMatchObject({ exit_code: 0, timed_out: false });
    expect(await shellExec.verify(snapshotting, params)).toBe(true);
    const applied = await shellAdapter.snapshot(snapshotting, "deploy");
    expect(applied.fingerprint).not.toBe(source.fingerprint);

    expect(shellExec.hasInverse(params)).toBe(false);
    expect(shellExec.inverse(params)).toEqual({ manual: expect.stringMatching(/another shell.exec/) });
    const rollback = shellExec.params.parse({
      argv: node("require('fs').rmSync('marker', { force: true })"),
    });
    await shellExec.apply(snapshotting, rollback, context());
    expect(await shellAdapter.snapshot(snapshotting, "deploy")).toMatchObject({
      fingerprint: source.fingerprint,
    });

    await shellExec.apply(snapshotting, params, context());
    await shellExec.apply(snapshotting, params, context()); // a resumed run: the command is re-runnable
    expect(await shellAdapter.snapshot(snapshotting, "deploy")).toMatchObject({
      fingerprint: applied.fingerprint,
    });
  });

  it("passes arguments as they are: no shell, no injection", async () => {
    const canary = join(dir, "injected");
    const argv = ["echo", `a; touch ${canary}`, "$(touch x)", "`id`", "'q'", "*"];
    const outcome = await shellExec.apply(shell, shellExec.params.parse({ argv }), context());
    expect(outcome.figures?.stdout_tail).toBe(`a; touch ${canary} $(touch x) \`id\` 'q' *\n`);
    expect(existsSync(canary)).toBe(false);
    expect(existsSync(join(dir, "x"))).toBe(false);
  });

  it("runs in the component's directory with its env, the step's env and cwd on top", async () => {
    await writeFile(join(dir, "here.txt"), "");
    const print = node(
      "console.log(process.env.STAGE, process.env.EXTRA, require('fs').existsSync('here.txt'))",
    );
    const outcome = await shellExec.apply(
      shell,
      shellExec.params.parse({ argv: print, env: { EXTRA: "1" } }),
      context(),
    );
    expect(outcome.figures?.stdout_tail).toBe("test 1 true\n");
    const elsewhere = await shellExec.apply(
      shell,
      shellExec.params.parse({ argv: print, cwd: ".." }),
      context(),
    );
    expect(elsewhere.figures?.stdout_tail).toBe("test undefined false\n");
  });

  it("fails on an unexpected exit code, with the end of stderr; accepts the expected one", async () => {
    const argv = node("console.error('disk full'); process.exit(3)");
    await expect(shellExec.apply(shell, shellExec.params.parse({ argv }), context())).rejects.toThrow(
      /exited with 3: disk full \(expected exit 0\)/,
    );
    const outcome = await shellExec.apply(shell, shellExec.params.parse({ argv, expect_exit: 3 }), context());
    expect(outcome.figures).toMatchObject({ exit_code: 3, stderr_tail: "disk full\n" });
  });

  it("kills the command and what it started on timeout", async () => {
    const pidFile = join(dir, "child.pid");
    const argv = node(
      `const c = require('child_process').spawn('sleep', ['30'], { stdio: 'ignore' });
       require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); setInterval(() => {}, 1000);`,
    );
    const started = Date.now();
    await expect(
      shellExec.apply(shell, shellExec.params.parse({ argv, timeout: "500ms" }), context()),
    ).rejects.toThrow(/timed out after 500ms and was killed/);
    expect(Date.now() - started).toBeLessThan(5_000);
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    await new Promise((r) => setTimeout(r, 100));
    expect(isRunning(grandchild)).toBe(false);
  });

  it("stops when the run is paused (abort signal)", async () => {
    const abort = new AbortController();
    const step = shellExec.apply(
      shell,
      shellExec.params.parse({ argv: ["sleep", "30"] }),
      context(abort.signal),
    );
    setTimeout(() => abort.abort(), 100);
    await expect(step).rejects.toThrow(/stopped: the run was paused/);
  });

  it("says when the program does not exist", async () => {
    await expect(
      shellExec.apply(shell, shellExec.params.parse({ argv: ["no-such-program-xyz"] }), context()),
    ).rejects.toThrow(/no such program: no-such-program-xyz/);
  });

  it("redacts secrets from its output and its description", async () => {
    const outcome = await shellExec.apply(
      shell,
      shellExec.params.parse({ argv: ["echo", "postgres://app:pw123@db/x password=pw123"] }),
      context(),
    );
    expect(outcome.figures?.stdout_tail).toBe("postgres://app:***@db/x password=***\n");
    expect(shellExec.describe(shellExec.params.parse({ argv: ["psql", "postgres://u:pw123@h/d"] }))).toBe(
      "run psql postgres://u:***@h/d",
    );
  });

  it("verifies with verify_argv, else by what this process ran", async () => {
    const params = shellExec.params.parse({
      argv: ["true"],
      verify_argv: node("process.exit(require('fs').existsSync('done') ? 0 : 1)"),
    });
    expect(await shellExec.verify(shell, params)).toBe(false);
    await writeFile(join(dir, "done"), "");
    expect(await shellExec.verify(shell, params)).toBe(true);
    const plain = shellExec.params.parse({ argv: ["true"] });
    expect(await shellExec.verify(shell, plain)).toBe(false); // after a crash: run it again
    await shellExec.apply(shell, plain, context());
    expect(await shellExec.verify(shell, plain)).toBe(true);
  });

  it.each([
    [{ argv: [] }, /non-empty list/],
    [{ argv: [""] }, /argv\[0\]/],
    [{ argv: "rm -rf /" }, /expected array/],
    [{ argv: ["ls"], shell: true }, /Unrecognized key/],
    [{ argv: ["ls"], timeout: "soon" }, /duration/],
    [{ argv: ["ls"], expect_exit: 256 }, /256|<=255/],
  ])("refuses params %j", (params, message) => {
    const parsed = shellExec.params.safeParse(params);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message).join("; ")).toMatch(message);
  });
});

describe("shell health checks", () => {
  const check = (
    type: HealthCheck["type"],
    params: Record<string, unknown>,
    timeout?: string,
  ): HealthCheck => ({
    id: "c",
    type,
    stage: "pre",
    component: "deploy",
    params,
    ...(timeout ? { timeout } : {}),
  });

  it.each([
    ["connectivity", check("connectivity", { argv: ["true"] })],
    ["functional, exit code", check("functional", { argv: node("process.exit(2)"), expect_exit: 2 })],
    ["functional, output", check("functional", { argv: ["echo", "ready: yes"], expect_stdout: "ready" })],
  ])("passes: %s", async (_name, c) => {
    const result = await shellAdapter.healthCheck(shell, c);
    expect(result, result.message).toMatchObject({ status: "pass", check_id: "c", type: c.type });
  });

  it.each([
    ["connectivity, exit 1", check("connectivity", { argv: ["false"] }), /exited with 1 \(expected exit 0\)/],
    [
      "functional, output",
      check("functional", { argv: ["echo", "down"], expect_stdout: "ready" }),
      /does not contain "ready"/,
    ],
    ["functional, timeout", check("functional", { argv: ["sleep", "5"] }, "200ms"), /timed out after 200ms/],
    ["functional, no program", check("functional", { argv: ["no-such-program-xyz"] }), /no such program/],
    ["functional, bad params", check("functional", { cmd: "ls" }), /params/],
    [
      "performance",
      check("performance", { argv: ["true"] }),
      /connectivity and functional checks .*not performance/,
    ],
  ])("fails: %s", async (_name, c, message) => {
    const result = await shellAdapter.healthCheck(shell, c);
    expect(result.status).toBe("fail");
    expect(result.message).toMatch(message);
  });
});

describe("shell snapshot and lock", () => {
  it("has an empty fingerprint without snapshot_argv", async () => {
    expect(await shellAdapter.snapshot(shell, "deploy")).toMatchObject({ fingerprint: "", checksums: {} });
  });

  it("fails the snapshot when snapshot_argv fails", async () => {
    const broken = (await shellAdapter.connect(component({ snapshot_argv: ["false"] }), {})).connection;
    await expect(shellAdapter.snapshot(broken, "deploy")).rejects.toThrow(
      /snapshot of 'deploy': false exited with 1/,
    );
  });

  it("holds a component for one run at a time, in this process", async () => {
    const adapter = createShellAdapter();
    const a = (await adapter.connect(component(), {})).connection;
    const b = (await adapter.connect(component(), {})).connection;
    const release = await adapter.lock(a, "pid 1@h (run r1)");
    await expect(adapter.lock(b, "pid 2@h (run r2)")).rejects.toThrow(
      "shell component 'deploy' is locked by pid 1@h (run r1)",
    );
    await release();
    await (await adapter.lock(b, "pid 2@h (run r2)"))();
  });

  it("refuses bad options", async () => {
    await expect(shellAdapter.connect(component({ snapshot_argv: "ls" }), {})).rejects.toThrow(
      /options\.snapshot_argv/,
    );
  });
});
