import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The package root (this file is in scripts/). */
export const ROOT = join(import.meta.dirname, "..");
/** The built CLI, as `npm run build` makes it and the package's bin runs it. */
export const BUILT_CLI = join(ROOT, "dist", "src", "cli", "main.js");

const SOURCES = ["src", "tools", "mcp", "evals", "prompts", "tsconfig.build.json", "package.json"];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) {
    if (entry.endsWith(".test.ts")) continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

/**
 * Builds the package (`npm run build`, about 7 s) unless `dist/` is newer than every source:
 * the tests and benchmarks that spawn the built server run what a user would install, never a
 * stale build. Returns the path of the built CLI.
 */
export function ensureBuilt(): string {
  const built = existsSync(BUILT_CLI) ? statSync(BUILT_CLI).mtimeMs : 0;
  const sources = Math.max(...SOURCES.map((s) => newest(join(ROOT, s))));
  if (built < sources) {
    execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  }
  return BUILT_CLI;
}
