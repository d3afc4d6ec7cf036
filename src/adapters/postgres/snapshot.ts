import { createHash } from "node:crypto";
import { stringify } from "safe-stable-stringify";
import type { Snapshot } from "../types.js";
import type { Queryable } from "./client.js";
import type { PgConnection } from "./connection.js";
import { qualify, quoteIdent } from "./identifiers.js";
import { USER_RELATION, USER_SCHEMA } from "./user-objects.js";

/**
 * The state a rollback must restore (DESIGN.md §6, protocol step 5): a sha256 fingerprint of a
 * canonical description of the user's schemas, and a checksum of every table's rows.
 *
 * Columns are described and hashed in name order, not in their position: a column restored by a
 * rollback comes back at the end of the table, and it is the same table for every query that
 * names its columns. Rows are hashed in primary-key order (`md5` of each row's text, then `md5`
 * of those, in order), under fixed TimeZone, DateStyle and IntervalStyle, in one REPEATABLE READ
 * transaction so that every table is read at the same instant.
 */
export async function snapshotPostgres(connection: PgConnection, componentId: string): Promise<Snapshot> {
  return connection.client.transaction(async (tx) => {
    await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    await stableTextSettings(tx);
    const description = await describeSchema(tx);
    const checksums: Record<string, string> = {};
    for (const table of await tablesToChecksum(tx)) {
      const key = `${table.schema}.${table.name}`;
      if (isExcluded(connection.snapshotExclude, table.schema, table.name)) continue;
      checksums[key] = await tableChecksum(tx, table);
    }
    return {
      component: componentId,
      fingerprint: fingerprintOf(description),
      checksums,
      taken_at: new Date().toISOString(),
    };
  });
}

/** sha256 of a schema description in canonical form (keys sorted): the schema fingerprint. */
export function fingerprintOf(description: Record<string, unknown>): string {
  return `sha256:${createHash("sha256")
    .update(String(stringify(description)))
    .digest("hex")}`;
}

/** Settings that decide how values print as text, fixed for this transaction. */
export async function stableTextSettings(tx: Queryable): Promise<void> {
  await tx.query(
    `SELECT set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, YMD', true),
            set_config('IntervalStyle', 'postgres', true), set_config('bytea_output', 'hex', true),
            set_config('extra_float_digits', '1', true)`,
  );
}

function isExcluded(exclude: readonly string[], schema: string, name: string): boolean {
  return exclude.includes(name) || exclude.includes(`${schema}.${name}`);
}

export interface TableToHash {
  schema: string;
  name: string;
  columns: string[];
  primaryKey: string[];
}

const TABLE_SHAPE = `SELECT n.nspname AS schema, c.relname AS name,
            ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                   ORDER BY a.attname::text COLLATE "C") AS columns,
            ARRAY(SELECT a.attname::text
                    FROM pg_catalog.pg_index i
                    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                   WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY k.position) AS pk
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace`;

type ShapeRow = { schema: string; name: string; columns: string[]; pk: string[] | null };
const toShape = (r: ShapeRow): TableToHash => ({
  schema: r.schema,
  name: r.name,
  columns: r.columns,
  primaryKey: r.pk ?? [],
});

async function tablesToChecksum(tx: Queryable): Promise<TableToHash[]> {
  const { rows } = await tx.query<ShapeRow>(
    `${TABLE_SHAPE}
      WHERE c.relkind = 'r' AND ${USER_RELATION}
      ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`,
  );
  return rows.map(toShape);
}

/** The columns and primary key of a table or view, or undefined when there is none of that name. */
export async function tableShape(
  tx: Queryable,
  schema: string,
  name: string,
): Promise<TableToHash | undefined> {
  const { rows } = await tx.query<ShapeRow>(
    `${TABLE_SHAPE} WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
    [schema, name],
  );
  return rows[0] ? toShape(rows[0]) : undefined;
}

/**
 * `<rows>:<md5>`: the row count, and the md5 of the rows' md5s (columns in name order) in
 * primary-key order. Run it after `stableTextSettings`.
 */
export async function tableChecksum(tx: Queryable, table: TableToHash): Promise<string> {
  const row = `md5(ROW(${table.columns.map((c) => `t.${quoteIdent(c)}`).join(", ")})::text)`;
  // Without a primary key, rows have no identity: ordering by their hash checksums the multiset.
  const order = table.primaryKey.length ? table.primaryKey.map((c) => `t.${quoteIdent(c)}`).join(", ") : row;
  const { rows } = await tx.query<{ n: string; h: string }>(
    `SELECT count(*)::text AS n, coalesce(md5(string_agg(${row}, '' ORDER BY ${order})), md5('')) AS h
       FROM ${qualify(table.schema, table.name)} AS t`,
  );
  return `${rows[0]?.n}:${rows[0]?.h}`;
}

/**
 * A canonical description of the user's schemas: schemas; tables with columns (type,
 * nullability, default, collation, identity, generated), constraints, indexes and triggers;
 * views with their definitions; sequences; functions. Objects are keyed by name, so their order
 * in the catalog does not matter.
 */
export async function describeSchema(tx: Queryable): Promise<Record<string, unknown>> {
  const schemas = await tx.query<{ name: string }>(
    `SELECT n.nspname AS name FROM pg_catalog.pg_namespace n WHERE ${USER_SCHEMA}
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                         WHERE e.classid = 'pg_catalog.pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')`,
  );
  const relations = await tx.query<{ key: string; kind: string; definition: string | null }>(
    `SELECT n.nspname || '.' || c.relname AS key, c.relkind::text AS kind,
            CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END AS definition
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${USER_RELATION}`,
  );
  const columns = await tx.query<{ key: string; name: string; spec: string }>(
    `SELECT n.nspname || '.' || c.relname AS key, a.attname AS name,
            concat_ws(' ', pg_catalog.format_type(a.atttypid, a.atttypmod),
                      CASE WHEN a.attnotnull THEN 'NOT NULL' END,
                      'DEFAULT ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid),
                      CASE WHEN a.attcollation <> t.typcollation THEN 'COLLATE ' || co.collname END,
                      CASE WHEN a.attidentity <> '' THEN 'IDENTITY ' || a.attidentity::text END,
                      CASE WHEN a.attgenerated <> '' THEN 'GENERATED ' || a.attgenerated::text END) AS spec
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped AND ${USER_RELATION}`,
  );
  // NOT NULL constraints (contype 'n', PostgreSQL 18) are already the columns' NOT NULL.
  const constraints = await tx.query<{ key: string; name: string; definition: string }>(
    `SELECT n.nspname || '.' || c.relname AS key, k.conname AS name,
            pg_catalog.pg_get_constraintdef(k.oid) AS definition
       FROM pg_catalog.pg_constraint k
       JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype <> 'n' AND ${USER_RELATION}`,
  );
  const indexes = await tx.query<{ key: string; name: string; definition: string }>(
    `SELECT n.nspname || '.' || c.relname AS key, ic.relname AS name,
            pg_catalog.pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END AS definition
       FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE ${USER_RELATION}`,
  );
  const triggers = await tx.query<{ key: string; name: string; definition: string }>(
    `SELECT n.nspname || '.' || c.relname AS key, g.tgname AS name,
            pg_catalog.pg_get_triggerdef(g.oid) AS definition
       FROM pg_catalog.pg_trigger g
       JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT g.tgisinternal AND ${USER_RELATION}`,
  );
  const functions = await tx.query<{ key: string; body: string }>(
    `SELECT n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' AS key,
            md5(concat_ws(' ', pg_catalog.pg_get_function_result(p.oid), p.prokind, p.provolatile,
                          p.prosecdef, p.prosrc)) AS body
       FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      WHERE ${USER_SCHEMA}
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                         WHERE e.classid = 'pg_catalog.pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')`,
  );

  // Enum labels and domains: a rollback that left an added enum label or a changed domain
  // behind is not back at its checkpoint.
  const types = await tx.query<{ key: string; definition: string }>(
    `SELECT n.nspname || '.' || t.typname AS key,
            CASE WHEN t.typtype = 'e'
                 THEN 'ENUM ' || coalesce((SELECT string_agg(e.enumlabel::text, ',' ORDER BY e.enumsortorder)
                                             FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid), '')
                 ELSE concat_ws(' ', 'DOMAIN', pg_catalog.format_type(t.typbasetype, t.typtypmod),
                                CASE WHEN t.typnotnull THEN 'NOT NULL' END, 'DEFAULT ' || t.typdefault,
                                (SELECT string_agg(pg_catalog.pg_get_constraintdef(k.oid), ' ' ORDER BY k.conname)
                                   FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid))
            END AS definition
       FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typtype IN ('e', 'd') AND ${USER_SCHEMA}
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                         WHERE e.classid = 'pg_catalog.pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')`,
  );

  const relationsByKey: Record<string, Record<string, unknown>> = {};
  for (const r of relations.rows) {
    relationsByKey[r.key] = { kind: r.kind, ...(r.definition ? { definition: r.definition } : {}) };
  }
  const into = (rows: { key: string; name: string }[], field: string, value: (row: never) => string) => {
    for (const row of rows) {
      const relation = relationsByKey[row.key];
      if (!relation) continue;
      const group = (relation[field] ?? {}) as Record<string, string>;
      group[row.name] = value(row as never);
      relation[field] = group;
    }
  };
  into(columns.rows, "columns", (r: { spec: string }) => r.spec);
  into(constraints.rows, "constraints", (r: { definition: string }) => r.definition);
  into(indexes.rows, "indexes", (r: { definition: string }) => r.definition);
  into(triggers.rows, "triggers", (r: { definition: string }) => r.definition);
  return {
    schemas: schemas.rows.map((s) => s.name).sort(),
    relations: relationsByKey,
    functions: Object.fromEntries(functions.rows.map((f) => [f.key, f.body])),
    types: Object.fromEntries(types.rows.map((t) => [t.key, t.definition])),
  };
}
