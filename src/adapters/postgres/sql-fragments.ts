import { z } from "zod";

/**
 * The two SQL fragments action params carry besides identifiers: a column type and a default
 * expression. Neither can be a parameter, so both are checked before they are spliced in.
 */

const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/;
/** The words that may follow a type's name (`double precision`, `timestamp with time zone`, `interval day to second`), and no others: `text NOT NULL` or `int REFERENCES t` would add a clause. */
const TYPE_WORDS = new Set([
  "precision",
  "varying",
  "with",
  "without",
  "time",
  "zone",
  "to",
  "year",
  "month",
  "day",
  "hour",
  "minute",
  "second",
]);
const TYPE_MODIFIERS = /^\(\s*\d+(?:\s*,\s*\d+)?\s*\)$/;

/**
 * A column type as written in DDL: `text`, `bigint`, `varchar(20)`, `numeric(10, 2)`,
 * `timestamp with time zone`, `timestamp(3) with time zone`, `text[]`, `myschema.mytype`: a name,
 * the few words of PostgreSQL's multi-word types, one modifier list of numbers and array
 * brackets; no quote, no semicolon, no comment, no constraint clause.
 */
export const SqlType = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine(isSafeType, {
    error: "expected a column type such as text, bigint, varchar(20), numeric(10,2) or text[]",
  })
  .meta({ description: "A PostgreSQL column type, such as text, bigint, varchar(20) or timestamptz." });

function isSafeType(text: string): boolean {
  let rest = text.replace(/(?:\s*\[\s*\d*\s*\])+$/, "");
  const modifiers = rest.match(/\(([^()]*)\)/);
  if (modifiers) {
    if (!TYPE_MODIFIERS.test(modifiers[0])) return false;
    rest = `${rest.slice(0, modifiers.index)} ${rest.slice((modifiers.index ?? 0) + modifiers[0].length)}`;
  }
  const [name = "", ...words] = rest.trim().split(/\s+/);
  return TYPE_NAME.test(name) && words.every((w) => TYPE_WORDS.has(w.toLowerCase()));
}

/**
 * A default expression (`now()`, `'pending'`, `0`, `gen_random_uuid()`), checked so that it stays
 * one expression once wrapped in parentheses: balanced parentheses outside string literals and
 * quoted identifiers, no `;`, no comment, no dollar quoting, no backslash. The adapter writes `DEFAULT (expr)`
 * and sends every DDL statement alone (extended protocol), so it cannot end the statement early.
 */
export const SqlExpression = z
  .string()
  .trim()
  .min(1)
  .max(2_000)
  .refine(isSingleExpression, {
    error:
      "expected one SQL expression: balanced parentheses and quotes, without ';', comments, backslashes or $ quoting",
  })
  .meta({ description: "An SQL expression, such as now(), 'pending' or 0." });

export function isSingleExpression(text: string): boolean {
  // A backslash can end an E'' string where this scan would not: refused everywhere.
  if (text.includes("\\") || text.includes("\u0000")) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = closingQuote(text, i, c);
      if (end === -1) return false;
      i = end;
    } else if (c === "(") depth++;
    else if (c === ")") {
      if (--depth < 0) return false;
    } else if (c === ";" || c === "$") return false;
    else if ((c === "-" && text[i + 1] === "-") || (c === "/" && text[i + 1] === "*")) return false;
  }
  return depth === 0;
}

/** The index of the quote that closes the one at `start` (a doubled quote is part of the text). */
function closingQuote(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] !== quote) continue;
    if (text[i + 1] === quote) i++;
    else return i;
  }
  return -1;
}
