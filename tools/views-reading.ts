import { z } from "zod";
import type { PgDiscovery, PgTable } from "../src/adapters/postgres/discover.js";
import { viewsReading as readers } from "../src/adapters/postgres/discovery-dependents.js";

/** A view that reads a table, and the columns of that table it reads. */
export const ViewReading = z.object({
  schema: z.string(),
  name: z.string(),
  materialized: z.boolean(),
  columns: z.array(z.string()).describe("The columns of the table that the view reads"),
});
export type ViewReading = z.infer<typeof ViewReading>;

/**
 * The views that read a table, with the columns of it each one reads; with `column`, only the
 * views that read that column (the adapter's `viewsReading`, in the tools' shape).
 */
export function viewsReading(discovery: PgDiscovery, table: PgTable, column?: string): ViewReading[] {
  return readers(discovery, { schema: table.schema, name: table.name }, column).map(({ view, columns }) => ({
    schema: view.schema,
    name: view.name,
    materialized: view.materialized,
    columns,
  }));
}
