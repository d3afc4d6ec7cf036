import type { PgDiscovery, PgTable, PgView } from "../adapters/postgres/discover.js";

/** A table the request is about, with what discovery knows of it and around it. */
export interface TableTarget {
  schema: string;
  table: PgTable;
  /** Views that read the table (and which of its columns). */
  views: { view: PgView; columns: string[] }[];
  /** Foreign keys of other tables that reference this one. */
  referencedBy: { table: PgTable; constraint: string; columns: string[] }[];
  discovery: PgDiscovery;
}

export function tableTarget(discovery: PgDiscovery, table: PgTable): TableTarget {
  const views = discovery.views.flatMap((view) =>
    view.reads
      .filter((r) => r.schema === table.schema && r.table === table.name)
      .map((r) => ({ view, columns: r.columns })),
  );
  const referencedBy = discovery.tables.flatMap((other) =>
    other.constraints
      .filter(
        (c) =>
          c.type === "foreign_key" &&
          c.references?.schema === table.schema &&
          c.references.table === table.name &&
          // A partition's copy of its parent's key is the parent's, not another reference.
          !(other.partition_of && c.references),
      )
      .map((c) => ({ table: other, constraint: c.name, columns: c.columns })),
  );
  return { schema: table.schema, table, views, referencedBy, discovery };
}

/** Views reading this column. */
export function viewsReading(target: TableTarget, column: string): PgView[] {
  return target.views.filter((v) => v.columns.includes(column)).map((v) => v.view);
}

/** Rows, for sizing: the estimate, else 0. */
export function rowsOf(target: TableTarget): number {
  return Math.max(0, target.table.row_estimate ?? 0);
}

/**
 * A rough duration for work over every row: a batched backfill moves about 20,000 rows a second
 * on a quiet server (bench/results/postgres.json measured more; this errs long), an index build
 * about 200,000. At least a second.
 */
export function estimate(rows: number, rowsPerSecond: number): string {
  const seconds = Math.max(1, Math.ceil(rows / rowsPerSecond));
  return seconds < 120 ? `${seconds}s` : `${Math.ceil(seconds / 60)}m`;
}

/** A name PostgreSQL keeps whole: at most 63 bytes. */
export function pgName(...parts: string[]): string {
  const name = parts.join("_");
  return Buffer.byteLength(name) <= 63 ? name : name.slice(0, 63);
}
