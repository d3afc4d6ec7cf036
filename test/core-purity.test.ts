import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The core is pure (DESIGN.md §2): nothing under src/core may reach the file system, the network,
 * a database or the process. Imports are checked against an allow-list of pure packages, and the
 * `process` global is refused too.
 */
const CORE = join(import.meta.dirname, "..", "src", "core");
const PURE_PACKAGES = [
  "zod",
  "yaml",
  "graphology",
  "graphology-dag",
  "jsonc-parser",
  "@noble/hashes",
  "safe-stable-stringify",
  "fastest-levenshtein",
];
const PROCESS_GLOBAL = /(?<![.\w$])(process|Deno|Bun)\s*\.\s*\w/;

/** What is impure about one source file: its forbidden imports and globals. */
function impurities(source: string): string[] {
  const problems: string[] = [];
  const info = ts.preProcessFile(source, true, true);
  for (const { fileName } of info.importedFiles) {
    const allowed =
      fileName.startsWith(".") || PURE_PACKAGES.some((p) => fileName === p || fileName.startsWith(`${p}/`));
    if (!allowed) problems.push(`imports ${fileName}`);
  }
  const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
  if (PROCESS_GLOBAL.test(code)) problems.push("uses the process global");
  if (/\brequire\s*\(/.test(code)) problems.push("calls require()");
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("the core is pure", () => {
  it("catches an import of node:fs (the check itself works)", () => {
    expect(impurities('import { readFileSync } from "node:fs";\nexport const x = 1;')).toEqual([
      "imports node:fs",
    ]);
    expect(impurities('import fs from "fs";')).toEqual(["imports fs"]);
    expect(impurities('const net = await import("node:net");')).toEqual(["imports node:net"]);
    expect(impurities('import pg from "pg";')).toEqual(["imports pg"]);
    expect(impurities("export const env = process.env.DATABASE_URL;")).toEqual(["uses the process global"]);
    expect(impurities('import { z } from "zod";\nimport { x } from "./x.js";')).toEqual([]);
  });

  const files = sourceFiles(CORE);

  it("finds the core's files", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((f) => [relative(CORE, f), f]))("src/core/%s imports nothing impure", (_name, file) => {
    expect(impurities(readFileSync(file, "utf8"))).toEqual([]);
  });
});
