import { isDeepStrictEqual } from "node:util";

/**
 * Where `actual` fails to contain `expected`, or undefined when it does: every key given in an
 * object must be there with a matching value (other keys are ignored, so a check survives a
 * release that adds fields); arrays match element by element, with the same length; anything
 * else must be equal.
 *
 * @example jsonMismatch({ id: 7, version: "v1", total_cents: 8 }, { version: "v2" })
 *   // '$.version: expected "v2", got "v1"'
 */
export function jsonMismatch(actual: unknown, expected: unknown, path = "$"): string | undefined {
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return `${path}: expected an object, got ${show(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const at = `${path}.${key}`;
      if (!Object.hasOwn(actual, key)) return `${at}: missing (expected ${show(value)})`;
      const mismatch = jsonMismatch(actual[key], value, at);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${show(actual)}`;
    if (actual.length !== expected.length) {
      return `${path}: expected ${expected.length} elements, got ${actual.length}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const mismatch = jsonMismatch(actual[i], expected[i], `${path}[${i}]`);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  return isDeepStrictEqual(actual, expected)
    ? undefined
    : `${path}: expected ${show(expected)}, got ${show(actual)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = value === undefined ? "nothing" : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
