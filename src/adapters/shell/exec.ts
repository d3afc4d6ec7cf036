import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { parseDuration } from "../../core/blueprint/duration.js";
import { Duration } from "../../core/blueprint/schema.js";
import { doneHere } from "../done-here.js";
import type { ActionDef } from "../types.js";
import type { ShellConnection } from "./connection.js";
import { type CommandResult, describeEnd, runCommand, showArgv } from "./run-command.js";

const Argv = z
  .array(z.string())
  .min(1, { error: "expected a command: a non-empty list, program first" })
  .refine((argv) => (argv[0] ?? "").trim() !== "", { error: "the program (argv[0]) is empty" });

const Params = z.strictObject({
  argv: Argv,
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeout: Duration.optional().meta({ description: "How long the command may run (10m unless given)" }),
  expect_exit: z.int().min(0).max(255).optional().meta({ description: "The exit code of success (0)" }),
  verify_argv: Argv.optional().meta({
    description: "A command that exits 0 once the step's effect is in place (checked after a crash)",
  }),
});
type Params = z.infer<typeof Params>;

export const DEFAULT_COMMAND_TIMEOUT_MS = 10 * 60_000;

/** Commands this process ran successfully, per connection: what `verify` knows without `verify_argv`. */
const ran = doneHere<ShellConnection>();

/**
 * `shell.exec`: runs a command given as an argv array, without a shell (no injection: `;`, `$()`
 * and quotes are plain characters of an argument), kills it and its children on timeout, and
 * fails on an exit code other than `expect_exit`. No automatic undo: the step's rollback is
 * another shell.exec. Without `verify_argv`, a step interrupted by a crash runs again on resume.
 */
export const shellExec = {
  name: "shell.exec",
  params: Params,
  // Documented static factors: a command can do anything its user can (complexity 0.6, blast
  // radius 0.5); its undo is the command the author wrote (0.5); data unknown (0.4).
  risk: () => ({ complexity: 0.6, blast_radius: 0.5, reversibility_difficulty: 0.5, data_sensitivity: 0.4 }),
  hasInverse: (_params: unknown) => false,
  describe: (p: Params) => `run ${showArgv(p.argv)}`,
  inverse: (_params: Params) => ({
    manual: "shell.exec has no automatic undo: give the step a rollback with another shell.exec",
  }),
  async apply(connection: ShellConnection, p: Params, context) {
    const timeoutMs = p.timeout
      ? (parseDuration(p.timeout) ?? DEFAULT_COMMAND_TIMEOUT_MS)
      : DEFAULT_COMMAND_TIMEOUT_MS;
    const result = await runIn(connection, p, p.argv, timeoutMs, context.signal);
    const expected = p.expect_exit ?? 0;
    if (result.exitCode !== expected || result.timedOut || result.aborted) {
      throw new Error(`${showArgv(p.argv)} ${describeEnd(result, timeoutMs)} (expected exit ${expected})`);
    }
    ran.mark(connection, key(p));
    return { figures: figuresOf(result) };
  },
  async verify(connection: ShellConnection, p: Params) {
    if (!p.verify_argv) return ran.has(connection, key(p));
    const result = await runIn(connection, p, p.verify_argv, 60_000);
    return result.exitCode === 0;
  },
} satisfies ActionDef<Params, ShellConnection>;

/** Runs a command for a component: in its directory (or `cwd`, relative to it), with its env and `env`. */
export function runIn(
  connection: ShellConnection,
  p: { cwd?: string | undefined; env?: Record<string, string> | undefined },
  argv: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
  options: { keepStdout?: boolean } = {},
): Promise<CommandResult> {
  const cwd = p.cwd ? (isAbsolute(p.cwd) ? p.cwd : resolve(connection.cwd, p.cwd)) : connection.cwd;
  return runCommand(
    { argv, cwd, env: { ...connection.env, ...p.env }, timeoutMs, ...(signal ? { signal } : {}) },
    options,
  );
}

const key = (p: Params) => JSON.stringify([p.argv, p.cwd ?? null, p.env ?? null]);

export function figuresOf(result: CommandResult) {
  return {
    exit_code: result.exitCode,
    signal: result.signal,
    timed_out: result.timedOut,
    duration_ms: result.durationMs,
    stdout_tail: result.stdoutTail,
    stderr_tail: result.stderrTail,
  };
}
