import { CommanderError } from "commander";
import { ComponentLockedError } from "../adapters/component-locked.js";
import { adapters } from "../adapters/registry.js";
import { RunRefused } from "../executor/runnable.js";
import { defaultCatalog } from "../services/catalog.js";
import { runtimeOpener } from "../services/open-runtime.js";
import { StateDirInUseError } from "../store/state-dir-lock.js";
import type { CliContext } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { buildProgram } from "./program.js";
import { UsageError } from "./usage-error.js";

/** Where the CLI writes. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Raw writes to the terminal, when stdout is one (the live status line). */
  terminal?: { write(text: string): void };
  /** Asks a yes/no question, when there is a person at a terminal to answer it. */
  confirm?(question: string): Promise<boolean>;
}

/** Thrown by `context.exit` to end a command with its exit code. */
class ExitRequest extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * Runs the CLI with these arguments and returns the exit code. Never prints a stack trace unless
 * `--debug` is given.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const debug = argv.includes("--debug");
  const context: CliContext = {
    out: io.out,
    err: io.err,
    exit: (code) => {
      throw new ExitRequest(code);
    },
    catalog: defaultCatalog(),
    adapters,
    env: process.env,
    openRuntime: runtimeOpener(adapters, process.env),
    terminal: io.terminal,
    confirm: io.confirm,
  };
  const program = buildProgram(context).exitOverride();
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ExitRequest) return error.code;
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; usage mistakes with 2.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (
      error instanceof RunRefused ||
      error instanceof StateDirInUseError ||
      error instanceof ComponentLockedError
    ) {
      io.err(`error: ${error.message}`);
      return EXIT.invalid;
    }
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}`);
      return EXIT.usage;
    }
    io.err(`internal error: ${(error as Error)?.message ?? String(error)}`);
    if (debug) io.err((error as Error)?.stack ?? "");
    else io.err("(run again with --debug for the stack trace, and please report it)");
    return EXIT.internal;
  }
}
