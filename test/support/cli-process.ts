import { spawn } from "node:child_process";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";

const ROOT = join(import.meta.dirname, "..", "..");
const MAIN = join(ROOT, "src", "cli", "main.ts");

/** How a CLI process ended. */
export interface CliOutcome {
  argv: string[];
  pid: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** When it exited, by `performance.now()` of this process. */
  endedAt: number;
}

/**
 * Starts the real CLI (`node --import tsx src/cli/main.ts …`) as a process of its own, with `env`
 * added to this process's environment (TEST_DATABASE_URL and MA_STATE_URL are left out unless
 * given). Colours are off; the output is read as plain text.
 */
export function startCli(
  argv: string[],
  env: Record<string, string | undefined> = {},
  options: { onStdout?: (chunk: string) => void } = {},
): { pid: number; done: Promise<CliOutcome> } {
  const { TEST_DATABASE_URL: _t, MA_STATE_URL: _m, ...inherited } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...argv], {
    cwd: ROOT,
    env: { ...inherited, NO_COLOR: "1", FORCE_COLOR: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(chunk);
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<CliOutcome>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        argv,
        pid: child.pid ?? -1,
        code,
        stdout: stripVTControlCharacters(stdout),
        stderr: stripVTControlCharacters(stderr),
        endedAt: performance.now(),
      }),
    );
  });
  return { pid: child.pid ?? -1, done };
}

/** Runs the CLI to its end. */
export function runCliProcess(argv: string[], env: Record<string, string | undefined> = {}) {
  return startCli(argv, env).done;
}
