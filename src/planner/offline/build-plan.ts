import type { PgDiscovery } from "../../adapters/postgres/discover.js";
import { changeColumnType, setNotNull } from "../../patterns/column-changes.js";
import { addColumn, dropColumn, renameColumn } from "../../patterns/columns.js";
import { addCheck, addForeignKey, addUnique, createIndex } from "../../patterns/indexes-and-constraints.js";
import { moveColumn } from "../../patterns/move-column.js";
import type { PlanBuilder } from "../../patterns/plan-builder.js";
import { dropTable, renameTable } from "../../patterns/tables.js";
import { tableTarget } from "../../patterns/target.js";
import type { Intent } from "./intent.js";

/** The blueprint's name for an intent: what it does, in a line. */
export function intentTitle(intent: Intent): string {
  const t = intent.table.name;
  switch (intent.kind) {
    case "add_column":
      return `Add ${t}.${intent.column.name} (${intent.column.type}${intent.column.nullable ? "" : ", required"})`;
    case "drop_column":
      return `Drop ${t}.${intent.column.name}`;
    case "drop_table":
      return `Drop the table ${t}`;
    case "rename_column":
      return `Rename ${t}.${intent.column.name} to ${intent.to}`;
    case "rename_table":
      return `Rename the table ${t} to ${intent.to}`;
    case "change_type":
      return `Change ${t}.${intent.column.name} from ${intent.column.type} to ${intent.type}`;
    case "set_not_null":
      return `Make ${t}.${intent.column.name} NOT NULL`;
    case "create_index":
      return `${intent.unique ? "Unique index" : "Index"} on ${t}(${intent.columns.map((c) => c.name).join(", ")})`;
    case "add_unique":
      return `Make ${t}(${intent.columns.map((c) => c.name).join(", ")}) unique`;
    case "add_foreign_key":
      return `Foreign key ${t}(${intent.columns.map((c) => c.name).join(", ")}) → ${intent.references.table.name}`;
    case "add_check":
      return `CHECK (${intent.expression}) on ${t}`;
    case "move_column":
      return `Move ${t}.${intent.column.name} to a new table ${intent.to}`;
  }
}

/** Fills the pattern template for the intent; returns notes for the person. Throws PlanRefusal. */
export function buildPlan(b: PlanBuilder, intent: Intent, discovery: PgDiscovery): string[] {
  const t = tableTarget(discovery, intent.table);
  const notes: string[] = [];
  if (intent.table.partitioned)
    notes.push(
      `${intent.table.name} is partitioned (${intent.table.partition_key}); the actions handle its ${intent.table.partitions.length} partitions`,
    );
  if (t.views.length)
    notes.push(
      `views reading ${intent.table.name}: ${t.views.map((v) => `${v.view.name} (${v.columns.join(", ")})`).join("; ")}`,
    );
  switch (intent.kind) {
    case "add_column":
      addColumn(b, t, intent.column);
      break;
    case "drop_column":
      dropColumn(b, t, intent.column);
      break;
    case "drop_table":
      dropTable(b, t);
      break;
    case "rename_column":
      renameColumn(b, t, intent.column, intent.to);
      break;
    case "rename_table":
      renameTable(b, t, intent.to);
      notes.push(
        "the catalogue has no rename_table action: the expand is raw SQL (rename + compatibility view) with rollback SQL",
      );
      break;
    case "change_type":
      changeColumnType(b, t, intent.column, intent.type);
      break;
    case "set_not_null":
      setNotNull(b, t, intent.column, intent.fill);
      break;
    case "create_index":
      createIndex(
        b,
        t,
        intent.columns.map((c) => c.name),
        { unique: intent.unique },
      );
      break;
    case "add_unique":
      addUnique(
        b,
        t,
        intent.columns.map((c) => c.name),
      );
      break;
    case "add_foreign_key":
      notes.push(
        ...addForeignKey(
          b,
          t,
          intent.columns.map((c) => c.name),
          {
            schema: intent.references.table.schema,
            table: intent.references.table.name,
            columns: intent.references.columns,
          },
          intent.on_delete,
        ),
      );
      break;
    case "add_check":
      addCheck(b, t, intent.expression);
      break;
    case "move_column":
      moveColumn(b, t, intent.column, intent.to);
      break;
  }
  return notes;
}
