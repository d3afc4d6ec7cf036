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

/**
 * A name for a new index or constraint that nothing in its way already has: `base`, else
 * `base_2`, `base_3`, … (as PostgreSQL names its own). Indexes share one namespace with the
 * schema's tables, views and sequences; constraints need a name of their own in their table.
 * A taken name would make the action find "its" object already there and do nothing — and its
 * rollback would then drop an object the run never made.
 */
export function freeName(t: TableTarget, base: string): string {
  const { discovery, schema } = t;
  const taken = new Set<string>([
    ...t.table.constraints.map((c) => c.name),
    ...discovery.tables
      .filter((x) => x.schema === schema)
      .flatMap((x) => [x.name, ...x.indexes.map((i) => i.name)]),
    ...discovery.views.filter((v) => v.schema === schema).map((v) => v.name),
    ...discovery.sequences.filter((q) => q.schema === schema).map((q) => q.name),
  ]);
  let name = pgName(base);
  for (let n = 2; taken.has(name); n++) {
    const suffix = `_${n}`;
    name = `${pgName(base).slice(0, 63 - suffix.length)}${suffix}`;
  }
  return name;
}

/** A name PostgreSQL keeps whole: at most 63 bytes. */
export function pgName(...parts: string[]): string {
  const name = parts.join("_");
  return Buffer.byteLength(name) <= 63 ? name : name.slice(0, 63);
}
