import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../project-root.js";

/** The package version, read from package.json at the project's root. */
export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(projectRoot(), "package.json"), "utf8")) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return "unknown";
  }
}
