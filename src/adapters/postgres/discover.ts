import type { PgConnection } from "./connection.js";
import { qualify } from "./identifiers.js";
import { USER_RELATION } from "./user-objects.js";

/** What discovery sees of a PostgreSQL database (read-only; the planner and risk scoring use it). */
export interface PgDiscovery {
  kind: "postgres";
  target: string;
  driver: "pglite" | "pg";
  database: string;
  server_version: string;
  server_version_num: number;
  tables: PgTable[];
  views: PgView[];
}

export interface PgTable {
  schema: string;
  name: string;
  /** From the statistics (`reltuples`), else counted when the table is small, else null. */
  row_estimate: number | null;
  /** Table, indexes and TOAST, in bytes. */
  size_bytes: number;
  columns: { name: string; type: string; nullable: boolean; default: string | null }[];
  primary_key: string[];
  indexes: { name: string; definition: string; unique: boolean; primary: boolean; valid: boolean }[];
}

export interface PgView {
  schema: string;
  name: string;
  materialized: boolean;
  definition: string;
}

/** Tables this small are counted when their statistics say nothing (never analyzed). */
const COUNT_BELOW_BYTES = 8 * 1024 * 1024;

/**
 * Reads the user's tables (row estimates, sizes, columns, primary keys, indexes), views and the
 * server version from pg_catalog; works the same on PGlite and PostgreSQL 15+.
 */
export async function discoverPostgres(connection: PgConnection): Promise<PgDiscovery> {
  const q = connection.client;
  const server = await q.query<{ version: string; num: string; db: string }>(
    `SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num,
            current_database() AS db`,
  );
  const tables = await q.query<{
    schema: string;
    name: string;
    reltuples: number;
    live: number | null;
    size: number;
    heap: number;
    pk: string[];
  }>(
    `SELECT n.nspname AS schema, c.relname AS name, c.reltuples::float8 AS reltuples,
            s.n_live_tup::float8 AS live, pg_catalog.pg_total_relation_size(c.oid)::float8 AS size,
            pg_catalog.pg_relation_size(c.oid)::float8 AS heap,
            ARRAY(SELECT a.attname::text
                    FROM pg_catalog.pg_index i
                    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                   WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY k.position) AS pk
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.oid
      WHERE c.relkind IN ('r', 'p') AND ${USER_RELATION}
      ORDER BY n.nspname, c.relname`,
  );
  const columns = await q.query<{
    schema: string;
    table: string;
    name: string;
    type: string;
    nullable: boolean;
    default: string | null;
  }>(
    `SELECT n.nspname AS schema, c.relname AS table, a.attname AS name,
            pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
            pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND ${USER_RELATION}
      ORDER BY n.nspname, c.relname, a.attnum`,
  );
  const indexes = await q.query<{
    schema: string;
    table: string;
    name: string;
    definition: string;
    unique: boolean;
    primary: boolean;
    valid: boolean;
  }>(
    `SELECT n.nspname AS schema, c.relname AS table, ic.relname AS name,
            pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
            i.indisunique AS unique, i.indisprimary AS primary, i.indisvalid AS valid
       FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE ${USER_RELATION}
      ORDER BY n.nspname, c.relname, ic.relname`,
  );
  const views = await q.query<{ schema: string; name: string; materialized: boolean; definition: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
            pg_catalog.pg_get_viewdef(c.oid) AS definition
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('v', 'm') AND ${USER_RELATION}
      ORDER BY n.nspname, c.relname`,
  );

  const key = (schema: string, name: string) => `${schema}.${name}`;
  const out = new Map<string, PgTable>();
  for (const t of tables.rows) {
    out.set(key(t.schema, t.name), {
      schema: t.schema,
      name: t.name,
      row_estimate: await rowEstimate(connection, t),
      size_bytes: Number(t.size),
      columns: [],
      primary_key: t.pk,
      indexes: [],
    });
  }
  for (const c of columns.rows) {
    out.get(key(c.schema, c.table))?.columns.push({
      name: c.name,
      type: c.type,
      nullable: c.nullable,
      default: c.default,
    });
  }
  for (const i of indexes.rows) {
    const { schema: _s, table: _t, ...index } = i;
    out.get(key(i.schema, i.table))?.indexes.push(index);
  }
  const row = server.rows[0];
  return {
    kind: "postgres",
    target: connection.describe,
    driver: connection.client.driver,
    database: row?.db ?? "",
    server_version: row?.version ?? "",
    server_version_num: Number(row?.num ?? 0),
    tables: [...out.values()],
    views: views.rows,
  };
}

async function rowEstimate(
  connection: PgConnection,
  t: { schema: string; name: string; reltuples: number; live: number | null; heap: number },
): Promise<number | null> {
  // reltuples is -1 on PostgreSQL 14+ for a table never vacuumed or analyzed.
  if (Number(t.reltuples) >= 0) return Math.round(Number(t.reltuples));
  if (t.live !== null && Number(t.live) > 0) return Number(t.live);
  if (Number(t.heap) > COUNT_BELOW_BYTES) return null;
  const { rows } = await connection.client.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM ${qualify(t.schema, t.name)}`,
  );
  return Number(rows[0]?.n ?? 0);
}
