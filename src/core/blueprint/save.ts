import { stringify } from "yaml";
import type { Blueprint } from "./schema.js";

/**
 * Writes a blueprint as YAML under its `blueprint` key. Loading the result gives an equal
 * blueprint: the schema keeps what was written, so nothing is added or dropped on the way.
 */
export function saveBlueprintYaml(blueprint: Blueprint): string {
  return stringify({ blueprint }, { lineWidth: 0, aliasDuplicateObjects: false });
}
