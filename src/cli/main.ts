#!/usr/bin/env node
import { CommanderError } from "commander";
import { defaultCatalog } from "../services/catalog.js";
import type { CliContext } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { buildProgram } from "./program.js";
import { UsageError } from "./usage-error.js";

/** Sets the exit code once: the first code a command asks for wins. */
class ExitRequest extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Runs the CLI with these arguments; returns the exit code. Never prints a stack trace unless --debug. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  const context: CliContext = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    exit: (code) => {
      throw new ExitRequest(code);
    },
    catalog: defaultCatalog(),
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
    if (error instanceof UsageError) {
      context.err(`error: ${error.message}`);
      return EXIT.usage;
    }
    context.err(`internal error: ${(error as Error).message ?? String(error)}`);
    if (debug) context.err((error as Error).stack ?? "");
    else context.err("(run again with --debug for the stack trace, and please report it)");
    return EXIT.internal;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
