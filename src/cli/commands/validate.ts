import type { Command } from "commander";
import { type Diagnostic, sortDiagnostics } from "../../core/diagnostics/diagnostic.js";
import { BlueprintFileError, checkBlueprintFile } from "../../services/blueprint-file.js";
import { discoverComponents } from "../../services/discover-components.js";
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
    .option(
      "--discover",
      "connect to each postgres component the steps use (read-only) and lint against what is there: table sizes in the messages, views that read a dropped column, names that do not exist",
    )
    .addHelpText(
      "after",
      "\nWithout --discover, the zero-downtime lint (MA6xx) checks raw SQL patterns only; with it, the\nrules that need sizes, columns and views run too, and risk is derived from table sizes and\ncolumn names. Connections come from the components' `connection` (env:NAME reads $NAME).\n\nExit codes: 0 valid (warnings allowed), 1 invalid, 2 usage error, unreadable file or a component\nthat --discover could not reach.\n\nExamples:\n  migration-architect validate examples/rename-column.yaml\n  DATABASE_URL=postgres://localhost/app migration-architect validate plan.yaml --discover",
    )
    .action(async (files: string[], options: { json?: boolean; at?: string; discover?: boolean }) => {
      const at = parseAt(options.at);
      const results: {
        file: string;
        valid: boolean;
        readable: boolean;
        diagnostics: Diagnostic[];
        discovery_failures?: { component: string; message: string }[];
      }[] = [];
      let exit: number = EXIT.ok;
      for (const file of files) {
        try {
          let check = await checkBlueprintFile(file, { catalog: context.catalog, at });
          let failures: { component: string; message: string }[] | undefined;
          if (options.discover && check.loaded) {
            const found = await discoverComponents(check.loaded.blueprint, context.adapters, context.env);
            failures = found.failures;
            check = await checkBlueprintFile(file, {
              catalog: context.catalog,
              at,
              discovery: found.discovery,
            });
          }
          results.push({
            file,
            valid: check.valid,
            readable: true,
            diagnostics: check.diagnostics,
            ...(failures ? { discovery_failures: failures } : {}),
          });
          if (!check.valid && exit === EXIT.ok) exit = EXIT.invalid;
          if (failures?.length) exit = EXIT.usage;
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
          for (const failure of result.discovery_failures ?? []) {
            context.err(`error: cannot discover component '${failure.component}': ${failure.message}`);
          }
          for (const d of sortDiagnostics(result.diagnostics)) context.out(formatDiagnostic(d));
          context.out(formatSummary(result.file, result.diagnostics));
        }
      }
      context.exit(exit);
    });
}
