import type { Queryable } from "../client.js";
import { quoteIdent } from "../identifiers.js";
import { primaryKey, sameType } from "../introspect.js";

/** A column as create_table's params give it. */
export interface ColumnSpec {
  name: string;
  type: string;
  nullable?: boolean | undefined;
  default?: string | undefined;
}

/** serial types are integers with a sequence default: what the catalog shows after CREATE TABLE. */
const SERIAL: Record<string, string> = {
  smallserial: "smallint",
  serial2: "smallint",
  serial: "integer",
  serial4: "integer",
  bigserial: "bigint",
  serial8: "bigint",
};

const serialBase = (type: string) => SERIAL[type.trim().toLowerCase()];

/** `"id" bigint NOT NULL DEFAULT (…)`: one column of a CREATE TABLE. */
export function columnDdl(c: ColumnSpec): string {
  return (
    `${quoteIdent(c.name)} ${c.type}` +
    `${c.nullable === false ? " NOT NULL" : ""}` +
    `${c.default !== undefined ? ` DEFAULT (${c.default})` : ""}`
  );
}

/**
 * How an existing table differs from the one asked for: columns (names, types, nullability,
 * whether there is a default) and primary key. Empty when it is the same table. Default
 * expressions are compared by presence only: PostgreSQL prints them in its own words.
 */
export async function definitionDifferences(
  q: Queryable,
  oid: number,
  columns: readonly ColumnSpec[],
  key: readonly string[],
): Promise<string[]> {
  const { rows } = await q.query<{ name: string; type: string; not_null: boolean; has_default: boolean }>(
    `SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, (a.atthasdef OR a.attidentity <> '') AS has_default
       FROM pg_catalog.pg_attribute a
      WHERE a.attrelid = $1::int8::oid AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [oid],
  );
  const existing = new Map(rows.map((r) => [r.name, r]));
  const differences: string[] = [];
  for (const c of columns) {
    const found = existing.get(c.name);
    if (!found) {
      differences.push(`column ${c.name} is missing`);
      continue;
    }
    existing.delete(c.name);
    const serial = serialBase(c.type);
    if (!(await sameType(q, found.type, serial ?? c.type))) {
      differences.push(`column ${c.name} is ${found.type}, not ${c.type}`);
    }
    const notNull = c.nullable === false || key.includes(c.name) || serial !== undefined;
    if (found.not_null !== notNull) {
      differences.push(`column ${c.name} is ${found.not_null ? "NOT NULL" : "nullable"}`);
    }
    const hasDefault = c.default !== undefined || serial !== undefined;
    if (found.has_default !== hasDefault) {
      differences.push(`column ${c.name} has ${found.has_default ? "a default" : "no default"}`);
    }
  }
  for (const extra of existing.keys()) differences.push(`it has another column ${extra}`);
  const pk = await primaryKey(q, oid);
  if (pk.join(",") !== key.join(",")) {
    differences.push(`its primary key is (${pk.join(", ") || "none"}), not (${key.join(", ")})`);
  }
  return differences;
}
