import { schemaFacts } from "../../core/lint/schema-facts.js";
import type { PgConstraint, PgDiscovery, PgTable, PgView } from "./discover.js";

/** A view that reads a table, and the columns of that table it reads. */
export interface ViewOfTable {
  view: PgView;
  columns: string[];
}

/**
 * The views that read a table (from each view's `reads`, which discovery takes from pg_depend),
 * with the columns of it each one reads; with `column`, only the views that read that column.
 * The matching is the core's (`schemaFacts(…).viewsReading`), which the zero-downtime lint uses:
 * the planner, the tools and the lint agree on which views are in the way.
 */
export function viewsReading(
  discovery: PgDiscovery,
  table: { schema: string; name: string },
  column?: string,
): ViewOfTable[] {
  const readers = schemaFacts(discovery)?.viewsReading(table.schema, table.name, column) ?? [];
  return readers.flatMap((reader) => {
    const view = discovery.views.find((v) => v.schema === reader.schema && v.name === reader.name);
    if (!view) return [];
    const columns = view.reads
      .filter((r) => r.schema === table.schema && r.table === table.name)
      .flatMap((r) => r.columns);
    return [{ view, columns: [...new Set(columns)] }];
  });
}

/**
 * The foreign keys of every table (this one and partitions included) that reference this table;
 * with `column`, only those that reference that column.
 */
export function foreignKeysTo(
  discovery: PgDiscovery,
  table: { schema: string; name: string },
  column?: string,
): { table: PgTable; constraint: PgConstraint }[] {
  return discovery.tables.flatMap((holder) =>
    holder.constraints
      .filter(
        (c) =>
          c.type === "foreign_key" &&
          c.references?.schema === table.schema &&
          c.references.table === table.name &&
          (column === undefined || c.references.columns.includes(column)),
      )
      .map((constraint) => ({ table: holder, constraint })),
  );
}
