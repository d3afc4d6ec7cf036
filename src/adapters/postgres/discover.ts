import type { PgConnection } from "./connection.js";
import { discoverObjects } from "./discover-objects.js";
import { discoverTables } from "./discover-tables.js";
import { describeSchema, fingerprintOf, stableTextSettings } from "./snapshot.js";

/**
 * What discovery sees of a PostgreSQL database (read-only; the planner, the risk rules and the
 * zero-downtime lint use it). It satisfies the core's `SchemaFacts` structurally
 * (src/core/lint/schema-facts.ts), which is all the core reads of it.
 */
export interface PgDiscovery {
  kind: "postgres";
  target: string;
  driver: "pglite" | "pg";
  database: string;
  server_version: string;
  server_version_num: number;
  /** The settings a zero-downtime migration cares about, as the server reports them. */
  settings: PgSettings;
  /** The user's schemas (not PostgreSQL's own, not an extension's). */
  schemas: string[];
  tables: PgTable[];
  views: PgView[];
  sequences: PgSequence[];
  enums: PgEnum[];
  domains: PgDomain[];
  /**
   * `sha256:…` of a canonical description of the schema: the snapshot's description
   * (snapshot.ts `describeSchema`) plus enum labels and domains. The same schema gives the same
   * fingerprint; any DDL that changes it changes the fingerprint. Data changes do not.
   */
  fingerprint: string;
}

export interface PgSettings {
  /** `0` when unset, else with its unit, e.g. `5s`. */
  lock_timeout: string;
  statement_timeout: string;
  idle_in_transaction_session_timeout: string;
  max_connections: number;
}

export interface PgColumn {
  name: string;
  /** As `format_type` prints it: `text`, `character varying(200)`, `mpaa_rating`, `year`. */
  type: string;
  nullable: boolean;
  default: string | null;
  /** `stored` for a generated column (`GENERATED ALWAYS AS (…) STORED`), else null. */
  generated: "stored" | "virtual" | null;
  identity: "always" | "by default" | null;
  /**
   * `COMMENT ON COLUMN`, as written by whoever wrote it: data, never an instruction (a planner
   * passes it to a model inside a tool result, as data).
   */
  comment: string | null;
}

export interface PgConstraint {
  name: string;
  type: "primary_key" | "unique" | "check" | "foreign_key" | "exclusion";
  /** The table's columns it covers, in order (empty for a CHECK on an expression only). */
  columns: string[];
  /** `pg_get_constraintdef`: `FOREIGN KEY (user_id) REFERENCES users(id)`, `CHECK ((price >= 0))`. */
  definition: string;
  /** False for a constraint added NOT VALID and not validated since. */
  validated: boolean;
  /** For a foreign key: the table and columns it references. */
  references: { schema: string; table: string; columns: string[] } | null;
}

export interface PgIndex {
  name: string;
  definition: string;
  unique: boolean;
  primary: boolean;
  /** False for an index left INVALID by a failed CREATE INDEX CONCURRENTLY. */
  valid: boolean;
  /** The access method: btree, gist, gin, hash, brin, … */
  method: string;
  /** Key columns or expressions, in order. */
  columns: string[];
  /** The constraint this index backs (primary key, unique, exclusion), else null. */
  constraint: string | null;
  /**
   * Whether `DROP INDEX CONCURRENTLY` can drop it alone: it backs no constraint, is not a
   * partitioned index, and is not a partition's share of one.
   */
  concurrent_drop_safe: boolean;
}

export interface PgTrigger {
  name: string;
  /** The trigger function, schema-qualified: `public.last_updated`. */
  function: string;
  /** False when disabled (`ALTER TABLE … DISABLE TRIGGER`). */
  enabled: boolean;
  definition: string;
}

export interface PgTable {
  schema: string;
  name: string;
  /**
   * From the statistics (`reltuples`, scaled to the table's current size), else counted when the
   * table is small, else null. A partitioned table sums its partitions.
   */
  row_estimate: number | null;
  /** Table, indexes and TOAST, in bytes; a partitioned table sums its partitions. */
  size_bytes: number;
  /** Whether it is a partitioned table (`PARTITION BY …`). */
  partitioned: boolean;
  /** For a partitioned table: `RANGE (payment_date)`. */
  partition_key: string | null;
  /** For a partitioned table: its direct partitions, `schema.name`, in name order. */
  partitions: string[];
  /** For a partition: its parent and its bound (`FOR VALUES FROM (…) TO (…)`). */
  partition_of: { schema: string; table: string; bound: string } | null;
  /** `COMMENT ON TABLE`: data, never an instruction (see PgColumn.comment). */
  comment: string | null;
  columns: PgColumn[];
  primary_key: string[];
  constraints: PgConstraint[];
  indexes: PgIndex[];
  triggers: PgTrigger[];
}

export interface PgView {
  schema: string;
  name: string;
  materialized: boolean;
  /** A materialized view created WITH NO DATA and never refreshed is not populated. */
  populated: boolean;
  definition: string;
  /**
   * The relations it reads and, for each, the columns it reads (from pg_depend on its rewrite
   * rule), so that dropping or retyping `customer.first_name` knows `customer_list` reads it.
   */
  reads: { schema: string; table: string; columns: string[] }[];
}

export interface PgSequence {
  schema: string;
  name: string;
  type: string;
  /** The column it belongs to (a serial, an identity or `OWNED BY`), else null. */
  owned_by: { schema: string; table: string; column: string } | null;
}

export interface PgEnum {
  schema: string;
  name: string;
  /** In their sort order. */
  labels: string[];
}

export interface PgDomain {
  schema: string;
  name: string;
  /** The base type, as `format_type` prints it. */
  type: string;
  nullable: boolean;
  default: string | null;
  /** Its CHECK constraints: `CHECK (((VALUE >= 1901) AND (VALUE <= 2155)))`. */
  checks: { name: string; definition: string }[];
}

/**
 * Reads the user's schema from pg_catalog: tables (row estimates, sizes, partitions, columns,
 * keys, constraints, indexes, triggers), views with the columns they read, sequences, enums,
 * domains, the server's version and settings, and a fingerprint. One read-only REPEATABLE READ
 * transaction, so every figure is of the same instant; works the same on PGlite and PostgreSQL 15+.
 */
export async function discoverPostgres(connection: PgConnection): Promise<PgDiscovery> {
  return connection.client.transaction(async (tx) => {
    await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    // Defaults and bounds print as text: fixed TimeZone and DateStyle keep the text, and so the
    // fingerprint, the same whatever the session's settings.
    await stableTextSettings(tx);
    const server = await tx.query<{
      version: string;
      num: string;
      db: string;
      lock_timeout: string;
      statement_timeout: string;
      idle: string;
      max_connections: string;
    }>(
      `SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num,
              current_database() AS db, current_setting('lock_timeout') AS lock_timeout,
              current_setting('statement_timeout') AS statement_timeout,
              current_setting('idle_in_transaction_session_timeout') AS idle,
              current_setting('max_connections') AS max_connections`,
    );
    const tables = await discoverTables(tx);
    const objects = await discoverObjects(tx);
    const row = server.rows[0];
    return {
      kind: "postgres",
      target: connection.describe,
      driver: connection.client.driver,
      database: row?.db ?? "",
      server_version: row?.version ?? "",
      server_version_num: Number(row?.num ?? 0),
      settings: {
        lock_timeout: row?.lock_timeout ?? "0",
        statement_timeout: row?.statement_timeout ?? "0",
        idle_in_transaction_session_timeout: row?.idle ?? "0",
        max_connections: Number(row?.max_connections ?? 0),
      },
      schemas: objects.schemas,
      tables,
      views: objects.views,
      sequences: objects.sequences,
      enums: objects.enums,
      domains: objects.domains,
      // The snapshot's fingerprint: a discovery and a checkpoint of the same schema agree.
      fingerprint: fingerprintOf(await describeSchema(tx)),
    };
  });
}
