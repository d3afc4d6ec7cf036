import { z } from "zod";
import {
  formatBytes,
  isLarge,
  LARGE_TABLE_BYTES,
  LARGE_TABLE_ROWS,
  sizeFigures,
  thousands,
} from "../src/core/lint/table-size.js";
import { postgresComponent } from "./postgres-discovery.js";
import { findTable, tableFields } from "./table-lookup.js";
import { defineTool } from "./tool.js";

const LARGE = `at least ${thousands(LARGE_TABLE_ROWS)} rows, or ${formatBytes(LARGE_TABLE_BYTES)}, or an unknown row count`;

/** A table's size figures and whether the zero-downtime rules treat it as large. */
export const tableStats = defineTool({
  name: "table_stats",
  title: "Table size and statistics",
  description:
    "Returns one PostgreSQL table's estimated rows, size (bytes and human-readable), partitioning and " +
    `indexes, and its size_class: "large" (${LARGE}) or "small". The size class is the one the ` +
    "validator's zero-downtime rules use: on a large table, build indexes CONCURRENTLY, add constraints " +
    "NOT VALID then VALIDATE, backfill in batches, and avoid anything that rewrites the table.",
  input: z.strictObject(tableFields),
  output: z.object({
    component: z.string(),
    schema: z.string(),
    table: z.string(),
    row_estimate: z.number().nullable().describe("Estimated rows; null when unknown (counts as large)"),
    size_bytes: z.number().describe("Table, indexes and TOAST; a partitioned table sums its partitions"),
    size: z.string().describe("size_bytes in kB, MB, GB"),
    size_class: z.enum(["small", "large"]).describe(`large: ${LARGE}`),
    summary: z.string().describe("The figures in one sentence"),
    partitioned: z.boolean(),
    partition_count: z.number().describe("Direct partitions of a partitioned table, else 0"),
    partition_of: z.string().nullable().describe("For a partition: its parent, schema.name"),
    index_count: z.number(),
    indexes: z.array(z.string()).describe("Index names"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, services) {
    const { component, discovery } = await postgresComponent(services, input.component);
    const table = findTable(discovery, input, component.id);
    const sizeClass: "small" | "large" = isLarge(table) ? "large" : "small";
    return {
      component: component.id,
      schema: table.schema,
      table: table.name,
      row_estimate: table.row_estimate,
      size_bytes: table.size_bytes,
      size: formatBytes(table.size_bytes),
      size_class: sizeClass,
      summary: sizeFigures(table),
      partitioned: table.partitioned,
      partition_count: table.partitions.length,
      partition_of: table.partition_of ? `${table.partition_of.schema}.${table.partition_of.table}` : null,
      index_count: table.indexes.length,
      indexes: table.indexes.map((i) => i.name),
    };
  },
});
