import type { PgDiscovery, PgTable, PgView } from "../adapters/postgres/discover.js";
import {
  foreignKeysTo,
  type ViewOfTable,
  viewsReading as viewsReadingTable,
} from "../adapters/postgres/discovery-dependents.js";

/** A table the request is about, with what discovery knows of it and around it. */
export interface TableTarget {
  schema: string;
  table: PgTable;
  /** Views that read the table (and which of its columns). */
  views: ViewOfTable[];
  /** Foreign keys of other tables (partitions included) that reference this one. */
  referencedBy: { table: PgTable; constraint: string; columns: string[] }[];
  discovery: PgDiscovery;
}

export function tableTarget(discovery: PgDiscovery, table: PgTable): TableTarget {
  const referencedBy = foreignKeysTo(discovery, table)
    .filter((f) => f.table !== table)
    .map((f) => ({ table: f.table, constraint: f.constraint.name, columns: f.constraint.columns }));
  return { schema: table.schema, table, views: viewsReadingTable(discovery, table), referencedBy, discovery };
}

/** Views reading this column. */
export function viewsReading(target: TableTarget, column: string): PgView[] {
  return target.views.filter((v) => v.columns.includes(column)).map((v) => v.view);
}

/** The table's params of a step (`schema` only when it is not public). */
export function tableParams(t: TableTarget): { table: string; schema?: string } {
  return { table: t.table.name, ...(t.schema !== "public" ? { schema: t.schema } : {}) };
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
