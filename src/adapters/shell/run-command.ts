import { spawn } from "node:child_process";
import { redactText } from "../redact.js";

export interface CommandSpec {
  /** The program and its arguments; no shell reads them, so nothing in them is interpreted. */
  argv: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface CommandResult {
  /** The exit code, or null when the command was killed or could not start. */
  exitCode: number | null;
  /** The signal that ended it, if one did. */
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  /** Why it could not start (ENOENT: no such program), if it could not. */
  startError?: string;
  durationMs: number;
  /** The last few KB of its output, redacted. */
  stdoutTail: string;
  stderrTail: string;
  /** The whole standard output, for snapshots; only kept when asked for. */
  stdout?: string;
}

const TAIL_BYTES = 4_096;
/** How long a command gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2_000;

/**
 * Runs a command without a shell (`spawn(argv[0], argv.slice(1))`), in its own process group so
 * that a timeout or an abort ends it and everything it started: SIGTERM, then SIGKILL after a
 * grace period. Output is kept as a tail, never all of it (unless `keepStdout`).
 */
export function runCommand(
  spec: CommandSpec,
  options: { keepStdout?: boolean } = {},
): Promise<CommandResult> {
  const [program, ...args] = spec.argv;
  const started = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn(program ?? "", args, {
      cwd: spec.cwd,
      env: spec.env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      shell: false,
    });
    let stdout = "";
    let stderr = "";
    let whole = "";
    let timedOut = false;
    let aborted = false;
    let startError: string | undefined;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout = tail(stdout + chunk);
      if (options.keepStdout) whole += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = tail(stderr + chunk);
    });

    let killTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      signalGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), KILL_GRACE_MS);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, spec.timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    spec.signal?.addEventListener("abort", onAbort, { once: true });
    if (spec.signal?.aborted) onAbort();

    child.on("error", (error: NodeJS.ErrnoException) => {
      startError = error.code === "ENOENT" ? `no such program: ${program}` : error.message;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      spec.signal?.removeEventListener("abort", onAbort);
      resolvePromise({
        exitCode: code,
        signal,
        timedOut,
        aborted,
        ...(startError ? { startError } : {}),
        durationMs: Math.round(performance.now() - started),
        stdoutTail: redactText(stdout),
        stderrTail: redactText(stderr),
        ...(options.keepStdout ? { stdout: whole } : {}),
      });
    });
  });
}

function tail(text: string): string {
  return text.length > TAIL_BYTES ? text.slice(-TAIL_BYTES) : text;
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal); // the whole group: the command and what it started
  } catch {
    try {
      process.kill(pid, signal);
    } catch {}
  }
}

/** How a command line prints: arguments quoted when needed, secrets redacted. */
export function showArgv(argv: readonly string[]): string {
  const line = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
  return redactText(line.length > 200 ? `${line.slice(0, 197)}…` : line);
}

/** One line saying how a command ended, with the end of its stderr when it failed. */
export function describeEnd(result: CommandResult, timeoutMs: number): string {
  if (result.startError) return result.startError;
  if (result.timedOut) return `timed out after ${timeoutMs}ms and was killed`;
  if (result.aborted) return "stopped: the run was paused";
  const how = result.exitCode !== null ? `exited with ${result.exitCode}` : `was killed by ${result.signal}`;
  const last = (result.stderrTail || result.stdoutTail).trim().split("\n").slice(-3).join(" | ");
  return last ? `${how}: ${last}` : how;
}
