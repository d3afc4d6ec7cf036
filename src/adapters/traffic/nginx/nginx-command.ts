import { runCommand } from "../../shell/run-command.js";

/**
 * Runs nginx (`command`, then `args`: `-t`, `-s reload`, a start) and fails with what nginx said,
 * plus `detail()` (the tail of an error log) when one is given.
 */
export async function runNginx(
  command: readonly string[],
  args: readonly string[],
  what: string,
  options: { cwd: string; detail?: () => Promise<string> },
): Promise<void> {
  const result = await runCommand({
    argv: [...command, ...args],
    cwd: options.cwd,
    env: process.env,
    timeoutMs: 30_000,
  });
  if (result.exitCode === 0) return;
  const why = result.startError ?? (result.stderrTail.trim() || `exit ${result.exitCode}`);
  const detail = options.detail ? await options.detail().catch(() => "") : "";
  throw new Error(`nginx ${what} failed: ${why}${detail ? `\n${detail}` : ""}`);
}
