import type { Queryable } from "../client.js";
import { qualify, quoteIdent } from "../identifiers.js";

/** Catalog look-ups and violation counts of the constraint actions. */

export interface ConstraintInfo {
  name: string;
  /** `c` check, `f` foreign key, `u` unique, `p` primary key, `x` exclusion, `n` not null (PG 18). */
  type: string;
  validated: boolean;
  /** pg_get_constraintdef: `CHECK ((total_cents >= 0))`, `FOREIGN KEY (user_id) REFERENCES users(id)`. */
  definition: string;
  columns: string[];
  ref_schema: string | null;
  ref_table: string | null;
  ref_columns: string[];
  /** confdeltype, confupdtype, confmatchtype: `a` no action, `r`, `c`, `n`, `d`; match `s` simple. */
  on_delete: string;
  on_update: string;
  match: string;
  deferrable: boolean;
  /** Inherited from a parent table (a partition's copy of its parent's constraint). */
  inherited: boolean;
}

export async function constraintInfo(
  q: Queryable,
  tableOid: number,
  name: string,
): Promise<ConstraintInfo | undefined> {
  const { rows } = await q.query<ConstraintInfo>(
    `SELECT k.conname AS name, k.contype::text AS type, k.convalidated AS validated,
            pg_catalog.pg_get_constraintdef(k.oid) AS definition,
            ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(attnum, position)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
                   ORDER BY u.position) AS columns,
            fn.nspname AS ref_schema, fc.relname AS ref_table,
            ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(attnum, position)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum
                   ORDER BY u.position) AS ref_columns,
            k.confdeltype::text AS on_delete, k.confupdtype::text AS on_update,
            k.confmatchtype::text AS match, k.condeferrable AS deferrable,
            k.coninhcount > 0 AS inherited
       FROM pg_catalog.pg_constraint k
       LEFT JOIN pg_catalog.pg_class fc ON fc.oid = k.confrelid
       LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
      WHERE k.conrelid = $1::int8::oid AND k.conname = $2`,
    [tableOid, name],
  );
  return rows[0];
}

/** Foreign keys of other tables (or the same) that reference through this unique or primary key. */
export async function referencingKeys(q: Queryable, tableOid: number, name: string): Promise<string[]> {
  const { rows } = await q.query<{ line: string }>(
    `SELECT f.conname || ' of table ' || n.nspname || '.' || c.relname AS line
       FROM pg_catalog.pg_constraint k
       JOIN pg_catalog.pg_constraint f ON f.contype = 'f' AND f.conindid = k.conindid AND f.confrelid = k.conrelid
       JOIN pg_catalog.pg_class c ON c.oid = f.conrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE k.conrelid = $1::int8::oid AND k.conname = $2 AND k.contype IN ('p', 'u')
      ORDER BY 1`,
    [tableOid, name],
  );
  return rows.map((r) => r.line);
}

/** The server's major version (15, 18, …). */
export async function serverMajor(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  return Math.floor(Number(rows[0]?.v ?? 0) / 10_000);
}

export interface Violations {
  count: number;
  example: string | null;
}

async function violations(q: Queryable, sql: string): Promise<Violations> {
  const { rows } = await q.query<{ n: string; example: string | null }>(sql);
  return { count: Number(rows[0]?.n ?? 0), example: rows[0]?.example ?? null };
}

const rowOf = (alias: string, columns: readonly string[]) =>
  `ROW(${columns.map((c) => `${alias}.${quoteIdent(c)}`).join(", ")})::text`;

/** Rows whose non-NULL values another row also holds (NULLs never collide in a unique index), with one example. */
export function duplicateValues(q: Queryable, schema: string, table: string, columns: readonly string[]) {
  const list = columns.map((c) => `t.${quoteIdent(c)}`).join(", ");
  const notNull = columns.map((c) => `t.${quoteIdent(c)} IS NOT NULL`).join(" AND ");
  return violations(
    q,
    `SELECT coalesce(sum(rows), 0)::text AS n, min(example) AS example FROM (
       SELECT count(*) AS rows, ${rowOf("t", columns)} || ' held by ' || count(*) || ' rows' AS example
         FROM ${qualify(schema, table)} AS t WHERE ${notNull} GROUP BY ${list} HAVING count(*) > 1) AS d`,
  );
}

/** Rows whose key (all of it non-NULL: MATCH SIMPLE) has no referenced row. */
export function orphanRows(
  q: Queryable,
  from: { schema: string; table: string; columns: readonly string[] },
  to: { schema: string; table: string; columns: readonly string[] },
) {
  const notNull = from.columns.map((c) => `t.${quoteIdent(c)} IS NOT NULL`).join(" AND ");
  const join = from.columns
    .map((c, i) => `r.${quoteIdent(to.columns[i] ?? "")} = t.${quoteIdent(c)}`)
    .join(" AND ");
  return violations(
    q,
    `SELECT count(*)::text AS n, min(${rowOf("t", from.columns)}) AS example
       FROM ${qualify(from.schema, from.table)} AS t
      WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${qualify(to.schema, to.table)} AS r WHERE ${join})`,
  );
}

/** Rows for which the CHECK expression is false (NULL passes a CHECK). */
export function failingCheck(q: Queryable, schema: string, table: string, expression: string) {
  return violations(
    q,
    `SELECT count(*)::text AS n, NULL::text AS example FROM ${qualify(schema, table)} AS t WHERE NOT (${expression})`,
  );
}

/** Rows where the column is NULL. */
export function nullRows(q: Queryable, schema: string, table: string, column: string) {
  return violations(
    q,
    `SELECT count(*)::text AS n, NULL::text AS example FROM ${qualify(schema, table)} AS t WHERE t.${quoteIdent(column)} IS NULL`,
  );
}
