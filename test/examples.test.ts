import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadBlueprintText } from "../src/core/blueprint/load.js";
import { saveBlueprintYaml } from "../src/core/blueprint/save.js";
import type { DiagnosticCode } from "../src/core/diagnostics/codes.js";
import type { Diagnostic } from "../src/core/diagnostics/diagnostic.js";
import { checkBlueprintFile } from "../src/services/blueprint-file.js";
import { defaultCatalog } from "../src/services/catalog.js";

const EXAMPLES = join(import.meta.dirname, "..", "examples");
const INVALID = join(EXAMPLES, "invalid");

const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .sort();

const VALID = yamlFiles(EXAMPLES);

/** What each invalid example must trigger, and the text of the line the diagnostic points at. */
const INVALID_EXAMPLES: { file: string; code: DiagnosticCode; line: (text: string) => number }[] = [
  { file: "cycle.yaml", code: "MA103", line: (text) => lineOf(text, "{ from: c, to: a }") },
  {
    file: "missing-rollback.yaml",
    code: "MA201",
    line: (text) => lineOf(text, "- id: add-phone-verified"),
  },
  { file: "downtime-violation.yaml", code: "MA301", line: (text) => lineOf(text, "downtime: 30s") },
];

/** The 1-based line of the only non-comment line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const found: number[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trimStart().startsWith("#") && line.includes(needle)) found.push(i + 1);
  });
  expect(found, `lines containing ${JSON.stringify(needle)}`).toHaveLength(1);
  return found[0] as number;
}

const errorsOf = (diagnostics: readonly Diagnostic[]) => diagnostics.filter((d) => d.severity === "error");

const check = (file: string) => checkBlueprintFile(file, { catalog: defaultCatalog() });

describe("examples/*.yaml", () => {
  it("holds the valid examples, each checked below", () => {
    expect(VALID).toEqual(
      expect.arrayContaining(["blue-green.yaml", "canary.yaml", "create-index.yaml", "rename-column.yaml"]),
    );
  });

  it.each(VALID)("%s is valid, with no errors", async (name) => {
    const result = await check(join(EXAMPLES, name));
    expect(errorsOf(result.diagnostics)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it.each(VALID)("%s round-trips: load → save → load gives the same blueprint", (name) => {
    const text = readFileSync(join(EXAMPLES, name), "utf8");
    const first = loadBlueprintText(text);
    if (!first.ok) throw new Error(`${name} does not load: ${first.diagnostics[0]?.message}`);
    const saved = saveBlueprintYaml(first.value.blueprint);
    const second = loadBlueprintText(saved);
    if (!second.ok) throw new Error(`${name} does not load once saved: ${second.diagnostics[0]?.message}`);
    expect(second.value.blueprint).toEqual(first.value.blueprint);
    // And saving is stable: a saved blueprint saves to the same text.
    expect(saveBlueprintYaml(second.value.blueprint)).toBe(saved);
  });
});

describe("examples/invalid/*.yaml", () => {
  it("has exactly the invalid examples listed here", () => {
    expect(yamlFiles(INVALID)).toEqual(INVALID_EXAMPLES.map((e) => e.file).sort());
  });

  it.each(INVALID_EXAMPLES)(
    "$file is invalid with $code, at the right line",
    async ({ file, code, line }) => {
      const path = join(INVALID, file);
      const text = readFileSync(path, "utf8");
      const result = await check(path);
      expect(result.valid).toBe(false);
      // Otherwise valid: the one error is the one the example is about.
      const errors = errorsOf(result.diagnostics);
      expect(errors.map((d) => d.code)).toEqual([code]);
      const error = errors[0] as Diagnostic;
      expect(error.line).toBe(line(text));
      expect(error.file).toBe(path);
      // The comment at the top of the file names the code and the line.
      expect(text.split("\n")[0]).toContain(`error ${code} at line ${line(text)}`);
    },
  );

  it("names the cycle in edge order, and points at the edge that closes it", async () => {
    const path = join(INVALID, "cycle.yaml");
    const text = readFileSync(path, "utf8");
    const result = await check(path);
    const error = result.diagnostics.find((d) => d.code === "MA103");
    expect(error).toBeDefined();
    const cycle = /form a cycle: (.+)$/.exec(error?.message ?? "")?.[1];
    // Whichever step the detector starts from, the steps follow the edges a → b → c → a.
    expect(["a → b → c → a", "b → c → a → b", "c → a → b → c"]).toContain(cycle);
    const names = (cycle as string).split(" → ");
    const closing = `{ from: ${names[names.length - 2]}, to: ${names[0]} }`;
    expect(error?.line).toBe(lineOf(text, closing));
    expect(error?.path).toEqual(["blueprint", "dependency_graph", "edges", expect.any(Number)]);
  });

  it("points MA201 at the id of the step without a rollback", async () => {
    const path = join(INVALID, "missing-rollback.yaml");
    const text = readFileSync(path, "utf8");
    const result = await check(path);
    const error = result.diagnostics.find((d) => d.code === "MA201");
    expect(error?.message).toContain("add-phone-verified");
    const line = lineOf(text, "- id: add-phone-verified");
    const lineText = text.split("\n")[line - 1] as string;
    expect(error?.column).toBe(lineText.indexOf("add-phone-verified") + 1);
  });
});
