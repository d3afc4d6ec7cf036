import { readFile, stat, writeFile } from "node:fs/promises";
import { extname } from "node:path";
import { MAX_BLUEPRINT_BYTES, type SourceFormat } from "../core/blueprint/load.js";
import { saveBlueprintYaml } from "../core/blueprint/save.js";
import type { Blueprint } from "../core/blueprint/schema.js";
import { type BlueprintCheck, checkBlueprintText } from "../core/check-blueprint.js";
import { type Diagnostic, diagnostic } from "../core/diagnostics/diagnostic.js";
import type { ValidateOptions } from "../core/validate.js";

/** A file that could not be read: a diagnostic (MA007 too large, MA008 unreadable). */
export class BlueprintFileError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

/** Reads a blueprint file's text, refusing directories, missing files and files over 64 MB. */
export async function readBlueprintFile(
  file: string,
): Promise<{ text: string; format: SourceFormat | undefined }> {
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw unreadable(file, "it is a directory, not a file");
    if (!info.isFile()) throw unreadable(file, "it is not a regular file");
    size = info.size;
  } catch (error) {
    if (error instanceof BlueprintFileError) throw error;
    throw unreadable(file, reason(error));
  }
  if (size > MAX_BLUEPRINT_BYTES) {
    throw new BlueprintFileError({
      ...diagnostic(
        "MA007",
        [],
        `${file} is ${(size / 1048576).toFixed(1)} MB; blueprints are limited to 64 MB`,
      ),
      file,
    });
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw unreadable(file, reason(error));
  }
  return { text, format: formatOf(file) };
}

/** Reads and checks a blueprint file; a file that cannot be read throws BlueprintFileError. */
export async function checkBlueprintFile(
  file: string,
  options: ValidateOptions = {},
): Promise<BlueprintCheck> {
  const { text, format } = await readBlueprintFile(file);
  return checkBlueprintText(text, { ...options, file, format });
}

/** Writes a blueprint as YAML. */
export async function saveBlueprintFile(file: string, blueprint: Blueprint): Promise<void> {
  await writeFile(file, saveBlueprintYaml(blueprint), "utf8");
}

function formatOf(file: string): SourceFormat | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === ".json") return "json";
  if (ext === ".yaml" || ext === ".yml") return "yaml";
  return undefined;
}

function unreadable(file: string, why: string): BlueprintFileError {
  return new BlueprintFileError({ ...diagnostic("MA008", [], `cannot read ${file}: ${why}`), file });
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory, not a file";
  return (error as Error).message;
}
