import { type LoadedBlueprint, type LoadOptions, loadBlueprintText, located } from "./blueprint/load.js";
import { type Diagnostic, sortDiagnostics } from "./diagnostics/diagnostic.js";
import { type BlueprintAnalysis, type ValidateOptions, validateBlueprint } from "./validate.js";

export interface BlueprintCheck {
  /** Every diagnostic, located in the source and sorted: errors first, then by line. */
  diagnostics: Diagnostic[];
  valid: boolean;
  loaded?: LoadedBlueprint;
  analysis?: BlueprintAnalysis;
}

/**
 * Loads and validates a blueprint text in one go: what `validate`, `explain` and `graph` share.
 * Pure: the caller reads the file.
 */
export function checkBlueprintText(
  text: string,
  options: LoadOptions & ValidateOptions = {},
): BlueprintCheck {
  const loaded = loadBlueprintText(text, options);
  if (!loaded.ok) return { diagnostics: loaded.diagnostics, valid: false };
  const validation = validateBlueprint(loaded.value.blueprint, options);
  loaded.value.locator.prepare?.(validation.diagnostics.map((d) => d.path));
  const diagnostics = sortDiagnostics(
    validation.diagnostics.map((d) => located(d, loaded.value.locator, options.file)),
  );
  return { diagnostics, valid: validation.valid, loaded: loaded.value, analysis: validation.analysis };
}
