import type { Queryable } from "./client.js";

/** Small catalog look-ups the actions share. Identifiers travel as parameters, never in the SQL. */

export interface ColumnInfo {
  name: string;
  attnum: number;
  /** `format_type` with the modifier: `character varying(20)`, `numeric(10,2)`. */
  type: string;
  not_null: boolean;
  /** The default expression as PostgreSQL prints it, or null. */
  default: string | null;
  /** A collation other than the type's default, quoted (`"C"`), or null. */
  collation: string | null;
  identity: boolean;
  generated: boolean;
}

/** The oid of an ordinary or partitioned table, or undefined when there is none of that name. */
export async function tableOid(q: Queryable, schema: string, table: string): Promise<number | undefined> {
  const { rows } = await q.query<{ oid: number }>(
    `SELECT c.oid::int8::float8 AS oid FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [schema, table],
  );
  return rows[0] ? Number(rows[0].oid) : undefined;
}

export async function columnInfo(q: Queryable, oid: number, column: string): Promise<ColumnInfo | undefined> {
  const { rows } = await q.query<ColumnInfo>(
    `SELECT a.attname AS name, a.attnum::int AS attnum,
            pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null,
            pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default,
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                 THEN pg_catalog.quote_ident(co.collname) END AS collation,
            a.attidentity <> '' AS identity,
            a.attgenerated <> '' AS generated
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
      WHERE a.attrelid = $1::int8::oid AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
    [oid, column],
  );
  return rows[0];
}

/** The primary key's columns, in key order; empty when the table has none. */
export async function primaryKey(q: Queryable, oid: number): Promise<string[]> {
  const { rows } = await q.query<{ name: string }>(
    `SELECT a.attname AS name
       FROM pg_catalog.pg_index i
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
       JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1::int8::oid AND i.indisprimary
      ORDER BY k.position`,
    [oid],
  );
  return rows.map((r) => r.name);
}

export async function relationExists(q: Queryable, schema: string, name: string): Promise<boolean> {
  const { rows } = await q.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2) AS found`,
    [schema, name],
  );
  return rows[0]?.found === true;
}

/**
 * Whether a column's type is the type asked for, as PostgreSQL resolves names (`int` is
 * `integer`, `timestamptz` is `timestamp with time zone`) and with the same modifiers.
 */
export async function sameType(q: Queryable, existing: string, requested: string): Promise<boolean> {
  const { rows } = await q.query<{ requested: string | null; existing: string | null }>(
    `SELECT pg_catalog.format_type(pg_catalog.to_regtype($1), NULL) AS requested,
            pg_catalog.format_type(pg_catalog.to_regtype($2), NULL) AS existing`,
    [requested, existing],
  );
  const row = rows[0];
  if (!row?.requested) throw new Error(`type ${requested} does not exist`);
  return row.requested === row.existing && modifiers(requested) === modifiers(existing);
}

function modifiers(type: string): string {
  return (type.match(/\(([^)]*)\)/)?.[1] ?? "").replace(/\s+/g, "");
}
