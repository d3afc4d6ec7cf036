import { z } from "zod";
import { PgTableShape } from "./pg-table-schema.js";
import { postgresComponent } from "./postgres-discovery.js";
import { findTable, tableFields } from "./table-lookup.js";
import { defineTool } from "./tool.js";
import { ViewReading, viewsReading } from "./views-reading.js";

/** One table in full, with the views that read it. */
export const describeTable = defineTool({
  name: "describe_table",
  title: "Describe a table",
  description:
    "Returns everything discovery knows about one PostgreSQL table: columns (type, nullable, default, " +
    "generated, identity), primary key, constraints (with their definitions and whether they are " +
    "validated), indexes (definition, unique, valid, method), triggers, partitioning (key, partitions, " +
    "parent and bound), estimated rows and size, and the views that read it with the columns they read. " +
    "Use it before planning a change to the table, to choose names that do not clash and to see what " +
    "the change must keep working.",
  input: z.strictObject(tableFields),
  output: z.object({
    component: z.string(),
    table: PgTableShape,
    views: z.array(ViewReading).describe("Views that read this table"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, services) {
    const { component, discovery } = await postgresComponent(services, input.component);
    const table = findTable(discovery, input, component.id);
    return { component: component.id, table, views: viewsReading(discovery, table) };
  },
});
