import type { StepRef } from "../blueprint/step-index.js";
import { type Diagnostic, type DocPath, diagnostic } from "../diagnostics/diagnostic.js";
import { type LintContext, type LintParams, qualified } from "./lint-context.js";
import { isLarge, sizeFigures, tableLabel } from "./table-size.js";
import { sameType } from "./type-change.js";
import { viewsInTheWay } from "./views.js";
import { isSerialType, volatileCall } from "./volatile.js";

/**
 * Which params of each catalogue action name columns that must already exist (DESIGN.md §4).
 * Actions that create their table (create_table, restore_table) or column (restore_column) and
 * the undo actions are left out: what they need is the state a step before them leaves.
 */
const EXISTING_COLUMNS: Record<string, (p: LintParams) => [DocPath, string][]> = {
  add_column: () => [],
  drop_table: () => [],
  add_check_constraint: () => [],
  drop_column: (p) => (typeof p.column === "string" ? [[["column"], p.column]] : []),
  set_not_null: (p) => (typeof p.column === "string" ? [[["column"], p.column]] : []),
  alter_column_type: (p) => (typeof p.column === "string" ? [[["column"], p.column]] : []),
  rename_column: (p) => (p.from ? [[["from"], p.from]] : []),
  add_foreign_key: (p) => listed(p),
  add_unique: (p) => listed(p),
  create_index: (p) => listed(p),
  backfill: (p) => Object.keys(p.set ?? {}).map((c): [DocPath, string] => [["set", c], c]),
};

const listed = (p: LintParams): [DocPath, string][] =>
  (p.columns ?? []).flatMap((c, i): [DocPath, string][] =>
    typeof c === "string" ? [[["columns", i], c]] : [],
  );

/**
 * The rules on catalogue actions: names that do not exist (MA505), a volatile default on a large
 * table (MA605), a drop of what a view reads (MA606: drop_column, drop_table).
 */
export function lintAction(ref: StepRef, action: string, p: LintParams, context: LintContext): Diagnostic[] {
  const facts = context.facts;
  if (!facts || !p.table) return [];
  const out: Diagnostic[] = [];
  const params = [...ref.path, "params"];
  const schema = p.schema ?? "public";
  const id = ref.step.id;
  const key = qualified(schema, p.table);
  const table = facts.table(schema, p.table);

  const columnsToCheck = EXISTING_COLUMNS[action];
  if (columnsToCheck && !table && !isCreated(context, key, p.table)) {
    const view = facts.view(schema, p.table);
    out.push(
      diagnostic(
        "MA505",
        [...params, "table"],
        view
          ? `step '${id}': ${tableLabel(schema, p.table)} is a view, not a table`
          : `step '${id}': there is no table ${tableLabel(schema, p.table)} in the database, and no step creates it`,
      ),
    );
  }
  if (columnsToCheck && table) {
    const names = new Set(table.columns.map((c) => c.name));
    for (const [at, column] of columnsToCheck(p)) {
      if (names.has(column) || isCreated(context, `${key}.${column}`, column)) continue;
      out.push(
        diagnostic(
          "MA505",
          [...params, ...at],
          `step '${id}': ${tableLabel(schema, p.table)} has no column ${column}, and no step creates it`,
        ),
      );
    }
  }
  if (p.references && columnsToCheck) {
    const refSchema = p.references.schema ?? schema;
    const target = facts.table(refSchema, p.references.table);
    const refKey = qualified(refSchema, p.references.table);
    if (!target && !isCreated(context, refKey, p.references.table)) {
      out.push(
        diagnostic(
          "MA505",
          [...params, "references", "table"],
          `step '${id}': the referenced table ${tableLabel(refSchema, p.references.table)} does not exist, and no step creates it`,
        ),
      );
    }
    (p.references.columns ?? []).forEach((column, i) => {
      if (!target || target.columns.some((c) => c.name === column)) return;
      if (isCreated(context, `${refKey}.${column}`, column)) return;
      out.push(
        diagnostic(
          "MA505",
          [...params, "references", "columns", i],
          `step '${id}': the referenced table ${tableLabel(refSchema, p.references?.table ?? "")} has no column ${column}`,
        ),
      );
    });
  }

  out.push(...nameTaken(ref, action, p, schema, context));
  if (action === "alter_column_type" && typeof p.column === "string" && p.type && table) {
    // MA507: nothing to change; and the expand, finding the column converted, would refuse.
    const column = table.columns.find((c) => c.name === p.column);
    if (column && sameType(column.type, p.type)) {
      out.push(
        diagnostic(
          "MA507",
          [...params, "type"],
          `step '${id}': ${tableLabel(schema, p.table)}.${p.column} is already ${column.type}: there is nothing to change`,
        ),
      );
    }
  }

  const name = { schema, name: p.table };
  if (action === "drop_column" && typeof p.column === "string") {
    out.push(...viewsInTheWay(ref, [...params, "column"], name, p.column, "drops", context));
  }
  if (action === "drop_table")
    out.push(...viewsInTheWay(ref, [...params, "table"], name, undefined, "drops", context));
  // rename_column and alter_column_type are not here: their contract carries the views over (the
  // rename keeps the old column's storage, which views hold by number; the type change recreates
  // them), so a view reading the column is not in the way.

  if (action === "add_column" && typeof p.column === "object" && table && isLarge(table)) {
    const volatile = p.column.default !== undefined ? volatileCall(p.column.default) : undefined;
    const serial = p.column.type !== undefined && isSerialType(p.column.type);
    if (volatile || serial) {
      out.push(
        diagnostic(
          "MA605",
          [...params, "column", serial ? "type" : "default"],
          `step '${id}': adding ${p.column.name} with ${serial ? `type ${p.column.type} (a nextval default)` : `the volatile default ${volatile}()`} rewrites ${tableLabel(schema, p.table)} row by row under ACCESS EXCLUSIVE; ${sizeFigures(table)}`,
        ),
      );
    }
  }
  return out;
}

/** The actions that create an index or a constraint under `params.name`, and what they create. */
const NAMED_CREATES: Record<string, "index" | "constraint" | "both"> = {
  create_index: "index",
  add_unique: "both",
  add_foreign_key: "constraint",
  add_check_constraint: "constraint",
};

/**
 * MA506: a step would create an index or constraint under a name the database already uses.
 * The action is idempotent, so it would find "its" object there and do nothing — and its rollback
 * would then drop an object the run never made. Caught here, once, for every author of a
 * blueprint (the offline planner picks free names; a model or a person may not).
 */
function nameTaken(
  ref: StepRef,
  action: string,
  p: LintParams,
  schema: string,
  context: LintContext,
): Diagnostic[] {
  const kind = NAMED_CREATES[action];
  const facts = context.facts;
  if (!kind || !p.name || !p.table || !facts || context.droppedNames.has(qualified(schema, p.name)))
    return [];
  const indexed =
    kind !== "constraint" &&
    facts.facts.tables.find((t) => t.schema === schema && t.indexes.some((i) => i.name === p.name));
  const table = facts.table(schema, p.table);
  const constraint = kind !== "index" && table?.constraints.find((c) => c.name === p.name);
  if (!indexed && !constraint) return [];
  const what = constraint
    ? `${tableLabel(schema, p.table)} already has a constraint ${p.name} (${constraint.definition})`
    : `there is already an index ${p.name} on ${tableLabel(schema, indexed ? indexed.name : p.table)}`;
  return [
    diagnostic(
      "MA506",
      [...ref.path, "params", "name"],
      `step '${ref.step.id}': ${what}; the step would do nothing and its rollback would drop it`,
    ),
  ];
}

/** Created by a step of the blueprint, or named in its raw SQL (which may create it). */
function isCreated(context: LintContext, key: string, name: string): boolean {
  return context.createdTables.has(key) || context.createdColumns.has(key) || context.sqlWords.has(name);
}
