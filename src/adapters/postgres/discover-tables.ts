import type { Queryable } from "./client.js";
import type { PgColumn, PgConstraint, PgIndex, PgTable, PgTrigger } from "./discover.js";
import { qualify } from "./identifiers.js";
import { USER_RELATION } from "./user-objects.js";

/** Tables this small are counted when their statistics say nothing (never analyzed). */
const COUNT_BELOW_BYTES = 8 * 1024 * 1024;

/** Rows come back in this order everywhere: schema, table, then name, byte-wise. */
const BY_TABLE = `ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`;

const CONSTRAINT_TYPES: Record<string, PgConstraint["type"]> = {
  p: "primary_key",
  u: "unique",
  c: "check",
  f: "foreign_key",
  x: "exclusion",
};

type TableRow = {
  schema: string;
  name: string;
  kind: string;
  reltuples: number;
  relpages: number;
  live: number | null;
  size: number;
  heap: number;
  block_size: number;
  partition_key: string | null;
  parent_schema: string | null;
  parent_name: string | null;
  bound: string | null;
  comment: string | null;
  pk: string[] | null;
};

/** The user's tables (plain and partitioned), with everything that hangs off them. */
export async function discoverTables(tx: Queryable): Promise<PgTable[]> {
  const tables = await tx.query<TableRow>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
            c.reltuples::float8 AS reltuples, c.relpages::float8 AS relpages,
            s.n_live_tup::float8 AS live, pg_catalog.pg_total_relation_size(c.oid)::float8 AS size,
            pg_catalog.pg_relation_size(c.oid)::float8 AS heap,
            current_setting('block_size')::float8 AS block_size,
            CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,
            pn.nspname AS parent_schema, pc.relname AS parent_name,
            CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS bound,
            pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
            ARRAY(SELECT a.attname::text
                    FROM pg_catalog.pg_index i
                    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                   WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY k.position) AS pk
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_inherits h ON c.relispartition AND h.inhrelid = c.oid
       LEFT JOIN pg_catalog.pg_class pc ON pc.oid = h.inhparent
       LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
       LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.oid
      WHERE c.relkind IN ('r', 'p') AND ${USER_RELATION}
      ${BY_TABLE}`,
  );
  const columns = await tx.query<PgColumn & { schema: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS table, a.attname AS name,
            pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
            pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default,
            CASE a.attgenerated WHEN 's' THEN 'stored' WHEN 'v' THEN 'virtual' END AS generated,
            CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END AS identity,
            pg_catalog.col_description(c.oid, a.attnum) AS comment
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND ${USER_RELATION}
      ${BY_TABLE}, a.attnum`,
  );
  // NOT NULL constraints (contype 'n', PostgreSQL 18) are already the columns' `nullable`.
  const constraints = await tx.query<{
    schema: string;
    table: string;
    name: string;
    type: string;
    columns: string[] | null;
    definition: string;
    validated: boolean;
    ref_schema: string | null;
    ref_table: string | null;
    ref_columns: string[] | null;
  }>(
    `SELECT n.nspname AS schema, c.relname AS table, k.conname AS name, k.contype::text AS type,
            ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, position)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
                   ORDER BY u.position) AS columns,
            pg_catalog.pg_get_constraintdef(k.oid) AS definition, k.convalidated AS validated,
            rn.nspname AS ref_schema, rc.relname AS ref_table,
            ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS u(attnum, position)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum
                   ORDER BY u.position) AS ref_columns
       FROM pg_catalog.pg_constraint k
       JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_class rc ON rc.oid = k.confrelid
       LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
      WHERE k.contype IN ('p', 'u', 'c', 'f', 'x') AND c.relkind IN ('r', 'p') AND ${USER_RELATION}
      ${BY_TABLE}, k.conname COLLATE "C"`,
  );
  const indexes = await tx.query<{
    schema: string;
    table: string;
    name: string;
    definition: string;
    unique: boolean;
    primary: boolean;
    valid: boolean;
    method: string;
    columns: string[];
    constraint: string | null;
    partitioned: boolean;
    inherited: boolean;
  }>(
    `SELECT n.nspname AS schema, c.relname AS table, ic.relname AS name,
            pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
            i.indisunique AS unique, i.indisprimary AS primary, i.indisvalid AS valid, am.amname AS method,
            ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true)
                    FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS columns,
            (SELECT k.conname FROM pg_catalog.pg_constraint k
              WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
              LIMIT 1) AS constraint,
            ic.relkind = 'I' AS partitioned,
            EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid) AS inherited
       FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_catalog.pg_am am ON am.oid = ic.relam
       JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND ${USER_RELATION}
      ${BY_TABLE}, ic.relname COLLATE "C"`,
  );
  const triggers = await tx.query<PgTrigger & { schema: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS table, g.tgname AS name,
            pn.nspname || '.' || p.proname AS function, g.tgenabled <> 'D' AS enabled,
            pg_catalog.pg_get_triggerdef(g.oid) AS definition
       FROM pg_catalog.pg_trigger g
       JOIN pg_catalog.pg_proc p ON p.oid = g.tgfoid
       JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
       JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT g.tgisinternal AND c.relkind IN ('r', 'p') AND ${USER_RELATION}
      ${BY_TABLE}, g.tgname COLLATE "C"`,
  );

  const key = (schema: string, name: string) => `${schema}.${name}`;
  const out = new Map<string, PgTable>();
  for (const t of tables.rows) {
    out.set(key(t.schema, t.name), {
      schema: t.schema,
      name: t.name,
      // Filled in below: a partitioned table's figures are its partitions'.
      row_estimate: t.kind === "p" ? 0 : await rowEstimate(tx, t),
      size_bytes: Number(t.size),
      partitioned: t.kind === "p",
      partition_key: t.partition_key,
      partitions: [],
      partition_of:
        t.parent_schema && t.parent_name
          ? { schema: t.parent_schema, table: t.parent_name, bound: t.bound ?? "" }
          : null,
      comment: t.comment ?? null,
      columns: [],
      primary_key: t.pk ?? [],
      constraints: [],
      indexes: [],
      triggers: [],
    });
  }
  for (const table of out.values()) {
    if (table.partition_of) {
      const { schema, table: parent } = table.partition_of;
      out.get(key(schema, parent))?.partitions.push(key(table.schema, table.name));
    }
  }
  for (const table of out.values()) if (table.partitioned) sumPartitions(table, out);

  for (const { schema, table, ...column } of columns.rows) out.get(key(schema, table))?.columns.push(column);
  for (const k of constraints.rows) {
    out.get(key(k.schema, k.table))?.constraints.push({
      name: k.name,
      type: CONSTRAINT_TYPES[k.type] ?? "check",
      columns: k.columns ?? [],
      definition: k.definition,
      validated: k.validated,
      references:
        k.ref_schema && k.ref_table
          ? { schema: k.ref_schema, table: k.ref_table, columns: k.ref_columns ?? [] }
          : null,
    });
  }
  for (const i of indexes.rows) {
    const { schema, table, partitioned, inherited, ...index } = i;
    const entry: PgIndex = {
      ...index,
      concurrent_drop_safe: index.constraint === null && !partitioned && !inherited,
    };
    out.get(key(schema, table))?.indexes.push(entry);
  }
  for (const { schema, table, ...trigger } of triggers.rows)
    out.get(key(schema, table))?.triggers.push(trigger);
  return [...out.values()];
}

/** A partitioned table's rows and bytes: the sum of its partitions', at every level. */
function sumPartitions(table: PgTable, all: ReadonlyMap<string, PgTable>): void {
  let rows: number | null = 0;
  let bytes = 0;
  for (const name of table.partitions) {
    const partition = all.get(name);
    if (!partition) continue;
    if (partition.partitioned) sumPartitions(partition, all);
    rows = rows === null || partition.row_estimate === null ? null : rows + partition.row_estimate;
    bytes += partition.size_bytes;
  }
  table.row_estimate = rows;
  table.size_bytes = bytes;
}

async function rowEstimate(tx: Queryable, t: TableRow): Promise<number | null> {
  const reltuples = Number(t.reltuples);
  const relpages = Number(t.relpages);
  const pages = Number(t.heap) / Number(t.block_size);
  // The planner's own estimate: the density of the last ANALYZE, times the pages there are now.
  if (reltuples >= 0 && relpages > 0) return Math.round((reltuples / relpages) * pages);
  if (reltuples >= 0 && pages === 0) return 0;
  // reltuples is -1 on PostgreSQL 14+ for a table never vacuumed or analyzed.
  if (t.live !== null && Number(t.live) > 0) return Number(t.live);
  if (Number(t.heap) > COUNT_BELOW_BYTES) return null;
  const { rows } = await tx.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM ${qualify(t.schema, t.name)}`,
  );
  return Number(rows[0]?.n ?? 0);
}
