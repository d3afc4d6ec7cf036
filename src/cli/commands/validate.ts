import type { Command } from "commander";
import { type Diagnostic, sortDiagnostics } from "../../core/diagnostics/diagnostic.js";
import { BlueprintFileError, checkBlueprintFile } from "../../services/blueprint-file.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { parseAt } from "../options.js";
import { formatDiagnostic, formatSummary } from "../output/diagnostics.js";

export function registerValidate(program: Command, context: CliContext): void {
  program
    .command("validate")
    .description("check blueprints: schema, dependency graph, rollbacks, risk and approvals, constraints")
    .argument("<files...>", "blueprint files (YAML or JSON)")
    .option("--json", "print one JSON document with every diagnostic")
    .option(
      "--at <time>",
      "planned start (ISO 8601): also check downtime steps against the maintenance window",
    )
    .addHelpText(
      "after",
      "\nExit codes: 0 valid (warnings allowed), 1 invalid, 2 usage error or unreadable file.\n\nExample:\n  migration-architect validate examples/rename-column.yaml",
    )
    .action(async (files: string[], options: { json?: boolean; at?: string }) => {
      const at = parseAt(options.at);
      const results: { file: string; valid: boolean; readable: boolean; diagnostics: Diagnostic[] }[] = [];
      let exit: number = EXIT.ok;
      for (const file of files) {
        try {
          const check = await checkBlueprintFile(file, { catalog: context.catalog, at });
          results.push({ file, valid: check.valid, readable: true, diagnostics: check.diagnostics });
          if (!check.valid && exit === EXIT.ok) exit = EXIT.invalid;
        } catch (error) {
          if (!(error instanceof BlueprintFileError)) throw error;
          results.push({ file, valid: false, readable: false, diagnostics: [error.diagnostic] });
          exit = EXIT.usage;
        }
      }
      if (options.json) {
        context.out(JSON.stringify(files.length === 1 ? results[0] : { results }, null, 2));
      } else {
        for (const result of results) {
          if (!result.readable) {
            for (const d of result.diagnostics) context.err(formatDiagnostic(d));
            continue;
          }
          for (const d of sortDiagnostics(result.diagnostics)) context.out(formatDiagnostic(d));
          context.out(formatSummary(result.file, result.diagnostics));
        }
      }
      context.exit(exit);
    });
}
