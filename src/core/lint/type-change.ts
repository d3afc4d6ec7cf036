/**
 * Whether changing a column from one type to another rewrites the table. PostgreSQL skips the
 * rewrite for binary-coercible changes that only relax a limit: a varchar widened or unbounded,
 * varchar to text, a numeric given more precision at the same scale. Anything else is taken to
 * rewrite (or at least to scan under ACCESS EXCLUSIVE), which is the safe answer for a lint.
 *
 * @example rewritesOnTypeChange("character varying(100)", "varchar(200)") // false
 * @example rewritesOnTypeChange("integer", "bigint") // true
 */
export function rewritesOnTypeChange(from: string, to: string): boolean {
  const a = parseType(from);
  const b = parseType(to);
  if (a.base === b.base && a.args.join(",") === b.args.join(",")) return false;
  if (a.base === "varchar" && (b.base === "text" || b.base === "varchar")) {
    if (b.base === "text" || b.args.length === 0) return false;
    return a.args.length === 0 || Number(b.args[0]) < Number(a.args[0]);
  }
  if (a.base === "text" && b.base === "varchar" && b.args.length === 0) return false;
  if (a.base === "numeric" && b.base === "numeric") {
    if (b.args.length === 0) return false;
    if (a.args.length === 0) return true;
    const sameScale = (a.args[1] ?? "0") === (b.args[1] ?? "0");
    return !(sameScale && Number(b.args[0]) >= Number(a.args[0]));
  }
  return true;
}

/** Whether two type names are the same type (aliases and spelling aside): `int8` and `bigint` are. */
export function sameType(a: string, b: string): boolean {
  const x = parseType(a);
  const y = parseType(b);
  return x.base === y.base && x.args.join(",") === y.args.join(",");
}

const ALIASES: Record<string, string> = {
  "character varying": "varchar",
  decimal: "numeric",
  int: "integer",
  int4: "integer",
  int8: "bigint",
  int2: "smallint",
  bool: "boolean",
  timestamptz: "timestamp with time zone",
  timestamp: "timestamp without time zone",
  float8: "double precision",
  float4: "real",
};

function parseType(text: string): { base: string; args: string[] } {
  const clean = text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/^pg_catalog\./, "");
  const match = /^([^(]*?)\s*(?:\(([^)]*)\))?\s*$/.exec(clean);
  const base = (match?.[1] ?? clean).trim();
  const args = match?.[2] ? match[2].split(",").map((x) => x.trim()) : [];
  return { base: ALIASES[base] ?? base, args };
}
