import { distance } from "fastest-levenshtein";
import { z } from "zod";
import type { PgColumn, PgDiscovery, PgTable } from "../src/adapters/postgres/discover.js";
import { componentField } from "./component-input.js";
import { ToolInputError } from "./tool.js";

/** The input fields of the tools that look at one table. */
export const tableFields = {
  component: componentField,
  schema: z.string().optional().describe("The table's schema; defaults to public"),
  table: z.string().min(1).describe("The table's name, e.g. users (or schema.name)"),
};

/** Where a tool call points: a table (`schema` defaults to public; `table` may be `schema.name`). */
export interface TableRef {
  schema?: string | undefined;
  table: string;
}

/**
 * The discovered table a tool call names. Unquoted SQL names fold to lower case, so `Users`
 * finds `users` when nothing matches exactly. An unknown name fails with the closest names and
 * where to look, so that a model can correct itself in one step.
 */
export function findTable(discovery: PgDiscovery, ref: TableRef, componentId: string): PgTable {
  const { schema, name } = splitName(ref);
  const exact = discovery.tables.find((t) => t.schema === schema && t.name === name);
  if (exact) return exact;
  const folded = discovery.tables.filter(
    (t) => t.schema === schema.toLowerCase() && t.name === name.toLowerCase(),
  );
  if (folded.length === 1 && folded[0]) return folded[0];

  const wanted = `${schema}.${name}`;
  const view = discovery.views.find((v) => v.schema === schema && v.name === name);
  if (view) {
    throw new ToolInputError(
      `${wanted} in component '${componentId}' is a ${view.materialized ? "materialized view" : "view"}, not a table; ` +
        "call find_dependents on the tables it reads, or discover_system to see its definition's tables",
    );
  }
  // A name is close when the qualified name is, or the bare name is (the right table, another schema).
  const close = closest(
    name,
    discovery.tables.map((t) => ({
      label: `${t.schema}.${t.name}`,
      edits: Math.min(edits(wanted, `${t.schema}.${t.name}`), edits(name, t.name)),
    })),
  );
  throw new ToolInputError(
    `there is no table ${wanted} in component '${componentId}'` +
      (close.length ? `; did you mean ${close.join(" or ")}?` : "") +
      " Call discover_system to list the tables.",
  );
}

/** A column of the table, or a `ToolInputError` naming the closest columns. */
export function findColumn(table: PgTable, column: string): PgColumn {
  const found =
    table.columns.find((c) => c.name === column) ??
    table.columns.find((c) => c.name === column.toLowerCase());
  if (found) return found;
  const close = closest(
    column,
    table.columns.map((c) => ({ label: c.name, edits: edits(column, c.name) })),
  );
  throw new ToolInputError(
    `${table.schema}.${table.name} has no column '${column}'` +
      (close.length ? `; did you mean ${close.join(" or ")}?` : "") +
      ` Its columns: ${table.columns.map((c) => c.name).join(", ")}.`,
  );
}

function splitName(ref: TableRef): { schema: string; name: string } {
  const dot = ref.table.indexOf(".");
  if (ref.schema === undefined && dot > 0) {
    return { schema: ref.table.slice(0, dot), name: ref.table.slice(dot + 1) };
  }
  return { schema: ref.schema ?? "public", name: ref.table };
}

/** Up to three candidates within a third of the name's length in edits (at least two), closest first. */
function closest(name: string, candidates: { label: string; edits: number }[]): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  return candidates
    .filter((c) => c.edits <= limit)
    .sort((a, b) => a.edits - b.edits || a.label.localeCompare(b.label))
    .slice(0, 3)
    .map((c) => c.label);
}

function edits(a: string, b: string): number {
  return distance(a.toLowerCase(), b.toLowerCase());
}
