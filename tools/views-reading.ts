import { z } from "zod";
import type { PgDiscovery, PgTable } from "../src/adapters/postgres/discover.js";

/** A view that reads a table, and the columns of that table it reads. */
export const ViewReading = z.object({
  schema: z.string(),
  name: z.string(),
  materialized: z.boolean(),
  columns: z.array(z.string()).describe("The columns of the table that the view reads"),
});
export type ViewReading = z.infer<typeof ViewReading>;

/**
 * The views that read a table (from each view's `reads`, which discovery takes from pg_depend),
 * with the columns of it each one reads; with `column`, only the views that read that column.
 */
export function viewsReading(discovery: PgDiscovery, table: PgTable, column?: string): ViewReading[] {
  const out: ViewReading[] = [];
  for (const view of discovery.views) {
    const columns = view.reads
      .filter((r) => r.schema === table.schema && r.table === table.name)
      .flatMap((r) => r.columns);
    const reads = view.reads.some((r) => r.schema === table.schema && r.table === table.name);
    if (!reads || (column !== undefined && !columns.includes(column))) continue;
    out.push({
      schema: view.schema,
      name: view.name,
      materialized: view.materialized,
      columns: [...new Set(columns)],
    });
  }
  return out;
}
