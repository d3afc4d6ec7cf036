import { stripVTControlCharacters } from "node:util";
import { runCli } from "../../src/cli/run.js";

/**
 * Runs the CLI in this process and returns its exit code and output as plain text (colours are on
 * when CI is set, by picocolors' rule; the assertions read plain text).
 */
export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return {
    code,
    stdout: stripVTControlCharacters(out.join("\n")),
    stderr: stripVTControlCharacters(err.join("\n")),
  };
}
