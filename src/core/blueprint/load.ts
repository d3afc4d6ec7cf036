import { type ParseError, parse as parseJsonc, printParseErrorCode } from "jsonc-parser";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { type Diagnostic, diagnostic, sortDiagnostics } from "../diagnostics/diagnostic.js";
import { fail, ok, type Result } from "../result.js";
import { issuesToDiagnostics } from "./issues.js";
import { MAX_NESTING, nestingDepth } from "./nesting.js";
import { type Blueprint, BlueprintDocument } from "./schema.js";
import {
  computeLineStarts,
  jsonLocator,
  positionAt,
  type SourceLocator,
  yamlLocator,
} from "./source-locator.js";

export type SourceFormat = "yaml" | "json";

/** Blueprints up to this size load (DESIGN.md §3); larger ones are refused with MA007. */
export const MAX_BLUEPRINT_BYTES = 64 * 1024 * 1024;

export interface LoadOptions {
  /** Forces the format; otherwise a text whose first character is `{` is JSON, anything else YAML. */
  format?: SourceFormat;
  /** The file name, carried into every diagnostic. */
  file?: string;
}

export interface LoadedBlueprint {
  blueprint: Blueprint;
  format: SourceFormat;
  /** Places diagnostics found later (graph, risk, constraints) at their line and column. */
  locator: SourceLocator;
}

/**
 * Parses a blueprint from YAML or JSON text and checks it against the schema. Every diagnostic
 * that points into the text carries its line and column.
 *
 * @example
 * const loaded = loadBlueprintText(text, { file: "rename.yaml" });
 * if (!loaded.ok) for (const d of loaded.diagnostics) console.log(d.line, d.code, d.message);
 */
export function loadBlueprintText(text: string, options: LoadOptions = {}): Result<LoadedBlueprint> {
  const { file } = options;
  if (text.length > MAX_BLUEPRINT_BYTES) {
    return fail([
      withFile(
        diagnostic(
          "MA007",
          [],
          `the blueprint is ${(text.length / 1048576).toFixed(1)} MB; the limit is 64 MB`,
        ),
        file,
      ),
    ]);
  }
  const format = options.format ?? (text.trimStart().startsWith("{") ? "json" : "yaml");
  const nesting = nestingDepth(text);
  if (nesting.offset !== -1) {
    const { line, column } = positionAt(computeLineStarts(text), nesting.offset);
    return fail([
      withFile(
        {
          ...diagnostic("MA001", [], `the document nests deeper than ${MAX_NESTING} levels of [ and {`),
          line,
          column,
        },
        file,
      ),
    ]);
  }
  const parsed = format === "json" ? parseJson(text) : parseYaml(text);
  if ("diagnostics" in parsed) return fail(parsed.diagnostics.map((d) => withFile(d, file)));
  const { raw, locator } = parsed;

  if (raw === null || typeof raw !== "object" || Array.isArray(raw) || !("blueprint" in raw)) {
    const found =
      raw === null || raw === undefined
        ? "an empty document"
        : Array.isArray(raw)
          ? "a list"
          : typeof raw === "object"
            ? `keys ${Object.keys(raw).slice(0, 5).join(", ")}`
            : `a ${typeof raw}`;
    return fail([
      located(
        diagnostic("MA002", [], `expected a mapping with the key 'blueprint', found ${found}`),
        locator,
        file,
      ),
    ]);
  }
  const result = BlueprintDocument.safeParse(raw);
  if (!result.success) {
    const diagnostics = issuesToDiagnostics(result.error.issues, raw, BlueprintDocument);
    locator.prepare?.(diagnostics.map((d) => d.path));
    return fail(sortDiagnostics(diagnostics.map((d) => located(d, locator, file))));
  }
  return ok({ blueprint: result.data.blueprint, format, locator });
}

/** Adds the line, column and file to a diagnostic whose path points into the source. */
export function located(d: Diagnostic, locator: SourceLocator, file?: string): Diagnostic {
  const at = d.code === "MA003" || d.code === "MA005" ? "key" : "value";
  const position = d.path.length ? locator.locate(d.path, at) : undefined;
  return withFile(position ? { ...d, line: position.line, column: position.column } : d, file);
}

function withFile(d: Diagnostic, file: string | undefined): Diagnostic {
  return file === undefined ? d : { ...d, file };
}

type Parsed = { raw: unknown; locator: SourceLocator } | { diagnostics: Diagnostic[] };

function parseJson(text: string): Parsed {
  try {
    return { raw: JSON.parse(text), locator: jsonLocator(text) };
  } catch {
    // JSON.parse's message has no reliable position on Node 20; jsonc-parser reports offsets.
    const errors: ParseError[] = [];
    parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true });
    const lines = computeLineStarts(text);
    const found = errors.slice(0, 5).map((e) => {
      const { line, column } = positionAt(lines, e.offset);
      return {
        ...diagnostic("MA001", [], `JSON syntax: ${splitWords(printParseErrorCode(e.error))}`),
        line,
        column,
      };
    });
    return {
      diagnostics: found.length
        ? found
        : [diagnostic("MA001", [], "JSON syntax: the text is not valid JSON")],
    };
  }
}

function parseYaml(text: string): Parsed {
  // yaml's own uniqueKeys check compares every key with every other of its map, which takes
  // minutes on a large map; duplicateKeys does the same check in linear time.
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length) {
    // Positions from the text itself: the LineCounter misses line breaks inside some error tokens.
    const lines = computeLineStarts(text);
    return {
      diagnostics: doc.errors.slice(0, 5).map((e) => ({
        ...diagnostic("MA001", [], `YAML syntax: ${firstLine(e.message)}`),
        ...positionAt(lines, e.pos[0]),
      })),
    };
  }
  const duplicates = duplicateKeys(doc.contents, 5);
  if (duplicates.length) {
    const lines = computeLineStarts(text);
    return {
      diagnostics: duplicates.map(({ key, offset }) => ({
        ...diagnostic("MA001", [], `YAML syntax: duplicate key '${key}' in a mapping`),
        ...positionAt(lines, offset),
      })),
    };
  }
  try {
    // The alias limit stops a "billion laughs" document from expanding without bound.
    return { raw: doc.toJS({ maxAliasCount: 1000 }), locator: yamlLocator(doc, text) };
  } catch (error) {
    return { diagnostics: [diagnostic("MA001", [], `YAML: ${firstLine((error as Error).message)}`)] };
  }
}

/** Keys that appear twice in one mapping, with the offset of the second; at most `limit`. */
function duplicateKeys(root: unknown, limit: number): { key: string; offset: number }[] {
  const found: { key: string; offset: number }[] = [];
  const stack: unknown[] = [root];
  while (stack.length && found.length < limit) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key) && found.length < limit)
          found.push({ key: String(key), offset: (pair.key as { range?: number[] })?.range?.[0] ?? 0 });
        seen.add(key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return found;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

function splitWords(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}
