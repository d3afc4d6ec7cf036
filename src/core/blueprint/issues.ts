import { closest, distance } from "fastest-levenshtein";
import type { z } from "zod";
import { type Diagnostic, type DocPath, diagnostic } from "../diagnostics/diagnostic.js";
import { DURATION_MESSAGE, DURATION_RANGE_MESSAGE } from "./schema.js";

/** At most this many schema diagnostics are reported; a summary line stands for the rest. */
export const MAX_SCHEMA_DIAGNOSTICS = 200;

/**
 * Turns zod issues into coded diagnostics: unknown keys (MA003, with the closest allowed key),
 * missing fields (MA005), durations (MA006) and every other shape problem (MA004).
 */
export function issuesToDiagnostics(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
  schema: z.ZodType,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const issue of issues) {
    const path: DocPath = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeys(schema, path);
      for (const key of issue.keys) {
        const near = allowed.length ? closest(key, allowed) : undefined;
        const suggestion = near && distance(key, near) <= Math.max(2, key.length / 3) ? near : undefined;
        diagnostics.push(
          diagnostic(
            "MA003",
            [...path, key],
            `unknown key '${key}'${where(path)}${suggestion ? ` (did you mean '${suggestion}'?)` : ""}`,
            allowed.length ? `Allowed here: ${allowed.join(", ")}.` : undefined,
          ),
        );
      }
    } else if (issue.message === DURATION_MESSAGE || issue.message === DURATION_RANGE_MESSAGE) {
      diagnostics.push(
        diagnostic("MA006", path, `${describe(path)}: ${DURATION_MESSAGE}, got ${show(valueAt(raw, path))}`),
      );
    } else if (issue.code === "invalid_type" && !hasPath(raw, path)) {
      diagnostics.push(
        diagnostic(
          "MA005",
          path,
          `missing required field '${String(path[path.length - 1])}'${where(path.slice(0, -1))}`,
        ),
      );
    } else {
      // zod says "Invalid input: expected number, received string"; the value itself says more.
      const message = issue.message.replace(/^Invalid input: /, "").replace(/, received \w+$/, "");
      diagnostics.push(
        diagnostic("MA004", path, `${describe(path)}: ${message}, got ${show(valueAt(raw, path))}`),
      );
    }
    if (diagnostics.length >= MAX_SCHEMA_DIAGNOSTICS) {
      diagnostics.push(
        diagnostic(
          "MA004",
          [],
          `… and ${issues.length - MAX_SCHEMA_DIAGNOSTICS} more problems of shape; fix these first`,
        ),
      );
      break;
    }
  }
  return diagnostics;
}

function where(path: DocPath): string {
  return path.length ? ` in ${describe(path)}` : " at the top level";
}

function describe(path: DocPath): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out ? `.${part}` : part;
  return out || "(document)";
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function valueAt(raw: unknown, path: DocPath): unknown {
  let node = raw;
  for (const part of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

function hasPath(raw: unknown, path: DocPath): boolean {
  const parent = valueAt(raw, path.slice(0, -1));
  const last = path[path.length - 1];
  return parent !== null && typeof parent === "object" && last !== undefined && Object.hasOwn(parent, last);
}

/** The keys a strict object schema allows at `path`, walking objects, arrays and wrappers. */
function allowedKeys(schema: z.ZodType, path: DocPath): string[] {
  let node: z.core.$ZodType | undefined = unwrap(schema);
  for (const part of path) {
    if (!node) return [];
    const def = node._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      element?: z.core.$ZodType;
    };
    if (def.type === "object" && typeof part === "string") node = unwrap(def.shape?.[part]);
    else if (def.type === "array" && typeof part === "number") node = unwrap(def.element);
    else return [];
  }
  const def = node?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let node = schema;
  for (;;) {
    const def = node?._zod.def as { type: string; innerType?: z.core.$ZodType } | undefined;
    if (
      def &&
      (def.type === "optional" || def.type === "nullable" || def.type === "default") &&
      def.innerType
    ) {
      node = def.innerType;
    } else return node;
  }
}
