import type { BlueprintCheck } from "../../core/check-blueprint.js";
import { sortDiagnostics } from "../../core/diagnostics/diagnostic.js";
import { BlueprintFileError, checkBlueprintFile } from "../../services/blueprint-file.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { formatDiagnostic } from "../output/diagnostics.js";

/**
 * Loads a blueprint for a command that needs a sound graph (explain, graph). Errors go to stderr
 * with the exit code (1 invalid, 2 unreadable) and the result is undefined.
 */
export async function loadSoundBlueprint(
  file: string,
  context: CliContext,
  at?: Date,
): Promise<BlueprintCheck | undefined> {
  let check: BlueprintCheck;
  try {
    check = await checkBlueprintFile(file, { catalog: context.catalog, at });
  } catch (error) {
    if (!(error instanceof BlueprintFileError)) throw error;
    context.err(formatDiagnostic(error.diagnostic));
    context.exit(EXIT.usage);
    return undefined;
  }
  if (!check.valid || !check.analysis?.schedule) {
    for (const d of sortDiagnostics(check.diagnostics).filter((x) => x.severity === "error")) {
      context.err(formatDiagnostic(d));
    }
    context.err(`${file} is not valid: fix the errors above (migration-architect validate ${file})`);
    context.exit(EXIT.invalid);
    return undefined;
  }
  return check;
}
