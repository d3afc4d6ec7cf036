/**
 * SQL text the templates write into health checks and raw-SQL steps. Identifiers are quoted
 * unless they are plain lowercase names that are not reserved, so the checks read naturally
 * (`SELECT count(*) FROM users`) and still work on `"order"` or `"Users"`.
 */
const RESERVED = new Set(
  (
    "all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate " +
    "column constraint create cross current_date current_time current_user default deferrable desc distinct " +
    "do else end except false fetch for foreign freeze from full grant group having ilike in initially inner " +
    "intersect into is isnull join lateral leading left like limit localtime natural not notnull null offset " +
    "on only or order outer overlaps placing primary references returning right select session_user similar " +
    "some symmetric table then to trailing true union unique user using variadic verbose when where window with"
  ).split(" "),
);

export function ident(name: string): string {
  if (/^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table`, with the schema left out when it is public. */
export function relation(schema: string, table: string): string {
  return schema === "public" ? ident(table) : `${ident(schema)}.${ident(table)}`;
}
