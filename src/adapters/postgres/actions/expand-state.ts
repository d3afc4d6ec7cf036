import { boundedName } from "../../../core/catalog/shadow-column.js";
import type { Queryable } from "../client.js";
import { qualify } from "../identifiers.js";
import { relationExists } from "../introspect.js";
import { BOOKKEEPING_PREFIX } from "../user-objects.js";
import type { ViewRecord } from "./expand-views.js";

/**
 * The record an expand/contract operation keeps between its stages, in a one-row bookkeeping
 * table `ma_backup_<rn|at>_<table>_<column>` (snapshots ignore it): which stage it reached, what it
 * changed (views, with their previous definitions; constraints and indexes a contract moved), so
 * that the contract can check the expand ran and every stage can be undone exactly.
 */
export interface ExpandState {
  format: "migration-architect expand state";
  version: 1;
  operation: "rename_column" | "alter_column_type";
  schema: string;
  table: string;
  /** The column as it was before the operation. */
  column: string;
  /** The new column living beside it during the expand. */
  shadow: string;
  stage: "expanding" | "expanded" | "contracting" | "contracted";
  /** The old column is NOT NULL: the new one carries a validated CHECK (… IS NOT NULL) meanwhile. */
  not_null: boolean;
  /** Whether the views step of the expand ran (its records are in `views`). */
  views_done: boolean;
  /** rename: the views extended with the new name; alter: the views recreated by the contract. */
  views: ViewRecord[];
  /** alter_column_type only. */
  old_type?: string;
  new_type?: string;
  using?: string;
  /** Whether a value written to the new column is converted back into the old one. */
  two_way?: boolean;
  /**
   * alter_column_type with `backfill: false`: a postgres.backfill step copies the rows, so the new
   * column gets its NOT NULL check at the contract (the step's undo puts NULLs back into it).
   */
  backfill_step?: boolean;
  default?: string | null;
  comment?: string | null;
  /** Constraints and indexes of the old column, put on the new one by the contract. */
  constraints?: { name: string; definition: string }[];
  indexes?: { name: string; definition: string }[];
}

/** The bounded naming rule lives in the core, which the lint shares. */
export { boundedName };

export function stateTableName(operation: ExpandState["operation"], table: string, column: string): string {
  return boundedName(`${BOOKKEEPING_PREFIX}${operation === "rename_column" ? "rn" : "at"}_`, [table, column]);
}

export async function readState(
  q: Queryable,
  schema: string,
  name: string,
): Promise<ExpandState | undefined> {
  if (!(await relationExists(q, schema, name))) return undefined;
  const { rows } = await q.query<{ state: ExpandState | string }>(
    `SELECT state FROM ${qualify(schema, name)}`,
  );
  const raw = rows[0]?.state;
  if (raw === undefined) return undefined;
  const state = typeof raw === "string" ? (JSON.parse(raw) as ExpandState) : raw;
  return state.format === "migration-architect expand state" ? state : undefined;
}

export async function createState(q: Queryable, name: string, state: ExpandState): Promise<void> {
  await q.query(`CREATE TABLE ${qualify(state.schema, name)} (state jsonb NOT NULL)`);
  await q.query(`INSERT INTO ${qualify(state.schema, name)} (state) VALUES ($1::jsonb)`, [
    JSON.stringify(state),
  ]);
}

export async function writeState(q: Queryable, name: string, state: ExpandState): Promise<void> {
  await q.query(`UPDATE ${qualify(state.schema, name)} SET state = $1::jsonb`, [JSON.stringify(state)]);
}

export function newState(fields: Omit<ExpandState, "format" | "version">): ExpandState {
  return { format: "migration-architect expand state", version: 1, ...fields };
}
