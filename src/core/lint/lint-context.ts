import { z } from "zod";
import type { StepRef } from "../blueprint/step-index.js";
import { shadowColumnName } from "../catalog/shadow-column.js";
import type { FactsIndex } from "./schema-facts.js";
import type { SqlOp } from "./sql-statements.js";
import { identName, type Token } from "./sql-tokens.js";

/**
 * The params the lint reads, by their names in DESIGN.md §4, loosely: whatever else a step's
 * params hold is the action's business (MA503 checks them against the action's own schema).
 */
const ColumnRef = z.union([z.string(), z.object({ name: z.string(), type: z.string().optional() })]);
export const LintParams = z.object({
  schema: z.string().optional(),
  table: z.string().optional(),
  column: z
    .union([
      z.string(),
      z.object({ name: z.string(), type: z.string().optional(), default: z.string().optional() }),
    ])
    .optional(),
  columns: z.array(ColumnRef).optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  stage: z.string().optional(),
  /** The new type of alter_column_type. */
  type: z.string().optional(),
  name: z.string().optional(),
  references: z
    .object({ schema: z.string().optional(), table: z.string(), columns: z.array(z.string()).optional() })
    .optional(),
  set: z.record(z.string(), z.unknown()).optional(),
  sql: z.string().optional(),
});
export type LintParams = z.infer<typeof LintParams>;

/** One component's discovery and what the blueprint itself does to that component. */
export interface LintContext {
  facts: FactsIndex | undefined;
  /** `schema.table` the blueprint creates (create_table, restore_table, CREATE TABLE in raw SQL). */
  createdTables: Set<string>;
  /**
   * `schema.table.column` the blueprint creates (add_column, rename_column's `to`, the shadow
   * column of an alter_column_type expand, …).
   */
  createdColumns: Set<string>;
  /** `schema.view` a step creates, replaces or drops: the blueprint takes care of that view. */
  handledViews: Set<string>;
  /** Every identifier in the component's raw SQL: what it may create is never called missing. */
  sqlWords: Set<string>;
  /** Index and constraint names a step drops (drop_index, drop_constraint): free to reuse after. */
  droppedNames: Set<string>;
}

export const qualified = (schema: string | undefined, name: string) => `${schema ?? "public"}.${name}`;

/** A `postgres.*` step as the lint reads it: its action without the prefix, its params, its SQL. */
export interface LintStep {
  ref: StepRef;
  /** `drop_column` for `postgres.drop_column`. */
  action: string;
  params: LintParams;
  /** For postgres.sql: its statements as tokens, and what the lint recognizes in them. */
  sql?: { statements: Token[][]; ops: SqlOp[] };
}

/** Reads what a component's steps create and handle, once for the whole lint. */
export function lintContext(steps: readonly LintStep[], facts: FactsIndex | undefined): LintContext {
  const context: LintContext = {
    facts,
    createdTables: new Set(),
    createdColumns: new Set(),
    handledViews: new Set(),
    sqlWords: new Set(),
    droppedNames: new Set(),
  };
  for (const { action, params: p, sql } of steps) {
    const table = p.table ? qualified(p.schema, p.table) : undefined;
    if (table && (action === "create_table" || action === "restore_table")) {
      context.createdTables.add(table);
      for (const c of p.columns ?? [])
        context.createdColumns.add(`${table}.${typeof c === "string" ? c : c.name}`);
    }
    if (table && action === "add_column" && typeof p.column === "object") {
      context.createdColumns.add(`${table}.${p.column.name}`);
    }
    if (table && action === "restore_column" && typeof p.column === "string") {
      context.createdColumns.add(`${table}.${p.column}`);
    }
    if (table && p.to && action === "rename_column") context.createdColumns.add(`${table}.${p.to}`);
    // A postgres.backfill step may fill the shadow between the expand and the contract.
    if (table && action === "alter_column_type" && p.stage === "expand" && typeof p.column === "string") {
      context.createdColumns.add(`${table}.${shadowColumnName(p.column)}`);
    }
    if (p.name && (action === "drop_index" || action === "drop_constraint")) {
      context.droppedNames.add(qualified(p.schema, p.name));
    }
    if (p.name && ["create_view", "replace_view", "drop_view", "restore_view"].includes(action)) {
      context.handledViews.add(qualified(p.schema, p.name));
    }
    if (sql && facts) {
      for (const statement of sql.statements) {
        for (const token of statement) {
          if (token.kind === "word" || token.kind === "ident") context.sqlWords.add(identName(token));
        }
      }
    }
    if (sql) {
      for (const op of sql.ops) {
        if (op.op === "create_view") context.handledViews.add(qualified(op.view.schema, op.view.name));
        if (op.op === "drop_view")
          for (const v of op.views) context.handledViews.add(qualified(v.schema, v.name));
        if (op.op === "create_table") context.createdTables.add(qualified(op.table.schema, op.table.name));
      }
    }
  }
  return context;
}
