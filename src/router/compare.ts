import { isDeepStrictEqual } from "node:util";
import type { CapturedBody } from "./body-capture.js";

/** One side of a mirrored request: its status and body. */
export interface Answer {
  status: number;
  body: CapturedBody;
}

export type Comparison = { same: true } | { same: false; reason: string };

/**
 * Whether the mirror answered as the primary did: the same status, and the same body — as JSON
 * when both parse (deep-equal, after dropping the top-level `ignoreFields`, so that a version or a
 * timestamp does not count as a difference), byte for byte otherwise. The reason names keys, never
 * values: a body may hold data that must not reach a log.
 */
export function compareAnswers(
  primary: Answer,
  mirror: Answer,
  ignoreFields: readonly string[] = [],
): Comparison {
  if (primary.status !== mirror.status)
    return { same: false, reason: `status ${primary.status} ≠ ${mirror.status}` };
  const a = parseJson(primary.body.bytes);
  const b = parseJson(mirror.body.bytes);
  if (a.ok && b.ok) {
    const left = withoutFields(a.value, ignoreFields);
    const right = withoutFields(b.value, ignoreFields);
    if (isDeepStrictEqual(left, right)) return { same: true };
    return { same: false, reason: jsonDifference(left, right) };
  }
  if (primary.body.sha256 === mirror.body.sha256) return { same: true };
  const large = primary.body.bytes === null || mirror.body.bytes === null;
  return {
    same: false,
    reason: large
      ? "bodies differ (over 1 MB, compared by sha256)"
      : "bodies differ (not both JSON, compared byte for byte)",
  };
}

function parseJson(bytes: Buffer | null): { ok: true; value: unknown } | { ok: false } {
  if (bytes === null || bytes.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(bytes.toString("utf8")) };
  } catch {
    return { ok: false };
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function withoutFields(value: unknown, fields: readonly string[]): unknown {
  if (!isObject(value) || fields.length === 0) return value;
  const copy = { ...value };
  for (const field of fields) delete copy[field];
  return copy;
}

function jsonDifference(left: unknown, right: unknown): string {
  if (!isObject(left) || !isObject(right)) return "JSON bodies differ";
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])]
    .filter((k) => !isDeepStrictEqual(left[k], right[k]))
    .sort();
  const shown = keys.slice(0, 5).map((k) => `'${k}'`);
  const more = keys.length > 5 ? ` and ${keys.length - 5} more` : "";
  return `JSON bodies differ at ${shown.join(", ")}${more}`;
}
