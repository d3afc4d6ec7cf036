import type { Command } from "commander";
import { CODES, type CodeEntry } from "../../core/diagnostics/codes.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";

export function registerCodes(program: Command, context: CliContext): void {
  program
    .command("codes")
    .description("list every diagnostic code with its meaning, what to do, and an example")
    .argument("[code]", "one code, e.g. MA103")
    .option("--markdown", "print the table the README carries")
    .action((code: string | undefined, options: { markdown?: boolean }) => {
      const entries = Object.entries(CODES) as [string, CodeEntry][];
      const chosen = code ? entries.filter(([c]) => c === code.toUpperCase()) : entries;
      if (chosen.length === 0) {
        context.err(`error: no diagnostic code ${code}; codes run from MA001 to ${entries.at(-1)?.[0]}`);
        context.exit(EXIT.usage);
        return;
      }
      context.out(options.markdown ? codesMarkdown(chosen) : codesText(chosen));
      context.exit(EXIT.ok);
    });
}

function codesText(entries: [string, CodeEntry][]): string {
  return entries
    .map(
      ([code, e]) =>
        `${code} ${e.severity}: ${e.title}\n  do: ${e.hint}\n  e.g. ${e.example.replace(/\n/g, "\n       ")}`,
    )
    .join("\n\n");
}

/** The README's table of codes: one row per code, the example in a code span. */
export function codesMarkdown(entries: [string, CodeEntry][] = Object.entries(CODES)): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const example = (text: string) =>
    text
      .split("\n")
      .map((line) => (line.includes("`") ? `\`\` ${cell(line)} \`\`` : `\`${cell(line)}\``))
      .join("<br>");
  const rows = entries.map(
    ([code, e]) => `| ${code} | ${e.severity} | ${cell(e.title)} | ${cell(e.hint)} | ${example(e.example)} |`,
  );
  return ["| code | severity | meaning | what to do | example |", "|---|---|---|---|---|", ...rows].join(
    "\n",
  );
}
