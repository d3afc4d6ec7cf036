import { z } from "zod";
import type { PgDiscovery, PgIndex, PgTable } from "../src/adapters/postgres/discover.js";
import { foreignKeysTo } from "../src/adapters/postgres/discovery-dependents.js";
import { tableLabel } from "../src/core/lint/table-size.js";
import { postgresComponent } from "./postgres-discovery.js";
import { findColumn, findTable, tableFields } from "./table-lookup.js";
import { defineTool } from "./tool.js";
import { ViewReading, viewsReading } from "./views-reading.js";

const ForeignKey = z.object({
  schema: z.string().describe("The schema of the table that holds the foreign key"),
  table: z.string().describe("The table that holds the foreign key"),
  name: z.string(),
  columns: z.array(z.string()).describe("Its columns, in the table that holds it"),
  references: z.object({ schema: z.string(), table: z.string(), columns: z.array(z.string()) }),
  definition: z.string(),
  validated: z.boolean(),
});

const Output = z.object({
  component: z.string(),
  schema: z.string(),
  table: z.string(),
  column: z.string().nullable().describe("The column asked about, or null for the whole table"),
  summary: z.array(z.string()).describe("Each dependency in one sentence"),
  views: z.array(ViewReading).describe("Views that read the table (the column, when one is named)"),
  referenced_by: z.array(ForeignKey).describe("Foreign keys of tables (this one included) that reference it"),
  references: z.array(ForeignKey).describe("Foreign keys of this table to other tables"),
  constraints: z
    .array(
      z.object({ name: z.string(), type: z.string(), columns: z.array(z.string()), definition: z.string() }),
    )
    .describe(
      "Its primary key, unique, check and exclusion constraints (covering the column, when one is named)",
    ),
  indexes: z
    .array(
      z.object({
        name: z.string(),
        unique: z.boolean(),
        columns: z.array(z.string()),
        definition: z.string(),
      }),
    )
    .describe(
      "Its indexes (those that use the column, when one is named: key, INCLUDE, expression or WHERE)",
    ),
  triggers: z
    .array(z.object({ name: z.string(), function: z.string(), enabled: z.boolean(), definition: z.string() }))
    .describe(
      "Every trigger on the table: which columns a trigger function reads is not known, so each is table-wide",
    ),
  sequences: z
    .array(z.string())
    .describe("Sequences owned by the table's columns (serial, identity), schema.name"),
  partitions: z
    .array(z.string())
    .describe("For a partitioned table: its partitions, which a change to it reaches"),
  partition_of: z.string().nullable().describe("For a partition: its parent"),
});
type Output = z.infer<typeof Output>;

/** Everything that touches a table, or one column of it: what a change must keep working. */
export const findDependents = defineTool({
  name: "find_dependents",
  title: "Find what depends on a table or column",
  description:
    "Lists what touches a PostgreSQL table, or one column of it when `column` is given: views that read it " +
    "(and which columns), foreign keys that reference it and that it holds, constraints and indexes that " +
    "cover the column, triggers on the table (always listed: a trigger may read any column), owned " +
    "sequences and partitions. Call it before renaming, retyping or dropping a column or table: a view " +
    "that reads the column must keep working (an expand/contract rename keeps the old name readable " +
    "until the contract step), and a foreign key or index on it constrains the order of the steps.",
  input: z.strictObject({
    ...tableFields,
    column: z.string().optional().describe("A column of the table; omit it for the whole table"),
  }),
  output: Output,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, services) {
    const { component, discovery } = await postgresComponent(services, input.component);
    const table = findTable(discovery, input, component.id);
    const column = input.column === undefined ? undefined : findColumn(table, input.column).name;
    return dependents(discovery, table, column, component.id);
  },
});

function dependents(
  discovery: PgDiscovery,
  table: PgTable,
  column: string | undefined,
  component: string,
): Output {
  const covers = (columns: readonly string[]) => column === undefined || columns.includes(column);
  const label = tableLabel(table.schema, table.name) + (column === undefined ? "" : `.${column}`);
  const referencedBy = foreignKeysTo(discovery, table, column).map((f) => foreignKey(f.table, f.constraint));
  const references = table.constraints
    .filter((c) => c.type === "foreign_key" && covers(c.columns))
    .map((c) => foreignKey(table, c));
  const views = viewsReading(discovery, table, column);
  const constraints = table.constraints
    .filter((c) => c.type !== "foreign_key" && covers(c.columns))
    .map(({ name, type, columns, definition }) => ({ name, type, columns, definition }));
  const indexes = table.indexes
    .filter((i) => column === undefined || usesColumn(i, column))
    .map(({ name, unique, columns, definition }) => ({ name, unique, columns, definition }));
  const triggers = table.triggers.map(({ name, function: fn, enabled, definition }) => ({
    name,
    function: fn,
    enabled,
    definition,
  }));
  const sequences = discovery.sequences
    .filter((s) => s.owned_by?.schema === table.schema && s.owned_by.table === table.name)
    .filter((s) => column === undefined || s.owned_by?.column === column)
    .map((s) => `${s.schema}.${s.name}`);

  const summary = [
    ...views.map(
      (v) =>
        `${v.materialized ? "materialized view" : "view"} ${tableLabel(v.schema, v.name)} reads ${label}`,
    ),
    ...referencedBy.map(
      (f) =>
        `foreign key ${f.name} on ${tableLabel(f.schema, f.table)}(${f.columns.join(", ")}) references ${label}` +
        partitionNote(discovery, f),
    ),
    ...references.map(
      (f) =>
        `foreign key ${f.name} makes ${label} reference ${tableLabel(f.references.schema, f.references.table)}`,
    ),
    ...constraints.map((c) => `${c.type.replace("_", " ")} constraint ${c.name} covers ${label}`),
    ...indexes.map((i) => `${i.unique ? "unique index" : "index"} ${i.name} uses ${label}`),
    ...triggers.map(
      (t) =>
        `trigger ${t.name} (${t.function}) fires on ${tableLabel(table.schema, table.name)}; it may read any column`,
    ),
    ...sequences.map((s) => `sequence ${s} is owned by ${label}`),
  ];
  return {
    component,
    schema: table.schema,
    table: table.name,
    column: column ?? null,
    summary,
    views,
    referenced_by: referencedBy,
    references,
    constraints,
    indexes,
    triggers,
    sequences,
    partitions: table.partitions,
    partition_of: table.partition_of ? `${table.partition_of.schema}.${table.partition_of.table}` : null,
  };
}

function foreignKey(holder: PgTable, c: PgTable["constraints"][number]): z.infer<typeof ForeignKey> {
  return {
    schema: holder.schema,
    table: holder.name,
    name: c.name,
    columns: c.columns,
    references: c.references ?? { schema: "", table: "", columns: [] },
    definition: c.definition,
    validated: c.validated,
  };
}

/**
 * Whether an index uses the column: as a key or INCLUDE column, inside an expression, or in its
 * WHERE clause. Everything after USING in its definition names only this table's columns.
 */
function usesColumn(index: PgIndex, column: string): boolean {
  if (index.columns.includes(column)) return true;
  const using = index.definition.indexOf(" USING ");
  const text = using === -1 ? index.definition : index.definition.slice(using);
  const name = column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9_$])"?${name}"?($|[^A-Za-z0-9_$])`).test(text);
}

/** ` (payment_p2022_01 is a partition of payment)` when the foreign key sits on a partition, else nothing. */
function partitionNote(discovery: PgDiscovery, fk: { schema: string; table: string }): string {
  const holder = discovery.tables.find((t) => t.schema === fk.schema && t.name === fk.table);
  const parent = holder?.partition_of;
  return parent
    ? ` (${tableLabel(fk.schema, fk.table)} is a partition of ${tableLabel(parent.schema, parent.table)})`
    : "";
}
