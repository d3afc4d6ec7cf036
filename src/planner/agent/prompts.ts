import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { projectRoot } from "../../project-root.js";

/** A prompt text and its version, which goes into the blueprint's metadata. */
export interface Prompt {
  text: string;
  /** From the file's first line, `version: planner-system/1` → `planner-system/1`. */
  version: string;
}

const VERSION_LINE = /^version:\s*(\S+)\s*$/;

/** A prompt file without its version line: the file, and what its first line should look like. */
export class PromptVersionError extends Error {
  constructor(file: string) {
    super(`${file}: the first line must be a version line such as "version: planner-system/1"`);
    this.name = "PromptVersionError";
  }
}

/** Splits a prompt file's text into its version (first line) and the text after it. */
export function parsePrompt(source: string, file: string): Prompt {
  const newline = source.indexOf("\n");
  const first = (newline < 0 ? source : source.slice(0, newline)).replace(/\r$/, "");
  const version = VERSION_LINE.exec(first)?.[1];
  if (!version) throw new PromptVersionError(file);
  return { version, text: (newline < 0 ? "" : source.slice(newline + 1)).trim() };
}

/**
 * Loads `prompts/<name>.md` from the project's root (the prompts ship with the package).
 *
 * @example
 * const { text, version } = await loadPrompt("planner-system");
 */
export async function loadPrompt(name: string): Promise<Prompt> {
  const file = join(projectRoot(), "prompts", `${name}.md`);
  return parsePrompt(await readFile(file, "utf8"), file);
}
