import { readdir, stat } from "node:fs/promises";
import { extname, join, relative } from "node:path";
import picomatch from "picomatch";

/** A path given to `eval` that is not a case file or a folder. */
export class CasePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CasePathError";
  }
}

const CASE_EXTENSIONS = new Set([".yaml", ".yml"]);

/**
 * The case files under these paths: a file as it is, a folder searched recursively for .yaml and
 * .yml files (in name order, so a report lists them the same way every time). A path that does
 * not exist, or a folder without cases, is an error: a suite is never skipped silently.
 */
export async function caseFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      throw new CasePathError(`${path}: no such file or folder`);
    }
    if (info.isFile()) {
      out.push(path);
      continue;
    }
    const found = await walk(path);
    if (found.length === 0) throw new CasePathError(`${path}: no .yaml or .yml case files in this folder`);
    out.push(...found);
  }
  return [...new Set(out)];
}

async function walk(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile() && CASE_EXTENSIONS.has(extname(entry.name))) out.push(path);
  }
  return out;
}

/**
 * `--filter GLOB`: a case is kept when the glob matches its id or its file's path (relative to the
 * working directory), e.g. `app-*`, `*rename*`, `evals/suites/pagila/**`.
 */
export function caseFilter(glob: string | undefined): (id: string | undefined, file: string) => boolean {
  if (!glob) return () => true;
  const matches = picomatch(glob, { dot: true });
  return (id, file) => (id !== undefined && matches(id)) || matches(relative(process.cwd(), file));
}
