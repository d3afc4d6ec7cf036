import type { StepContext, StepOutcome } from "../../types.js";
import { type Queryable, sqlState } from "../client.js";
import type { PgConnection } from "../connection.js";
import { type LockFigures, runDdl } from "../ddl.js";
import { TableDoesNotExistError } from "../errors.js";
import { qualify, quoteIdent } from "../identifiers.js";
import { columnInfo, tableOid } from "../introspect.js";
import { type BackfillResult, runBackfill } from "./backfill-engine.js";
import { DEFAULT_BATCH_SIZE, DEFAULT_TARGET_BATCH_MS } from "./backfill-params.js";
import { retryOptions, schemaOf, tableName } from "./common.js";
import { ColumnsOutOfSyncError, ExpandStateMissingError, InvalidColumnChangeError } from "./expand-errors.js";
import type { RenameParams } from "./expand-params.js";
import { boundedName, createState, newState, readState, stateTableName, writeState } from "./expand-state.js";
import {
  appendOutputColumn,
  createView,
  dropView,
  hasReaders,
  recordView,
  replaceView,
  type ViewRecord,
  viewsReading,
} from "./expand-views.js";
import { installSync, removeSync, syncTriggerName, triggerExists } from "./sync-trigger.js";

/**
 * The stages of postgres.rename_column and their undo. The expand adds the new column beside the
 * old one (same type and collation; NOT NULL carried by a CHECK validated after the backfill),
 * keeps both equal with the sync trigger, copies the old values over in batches, and extends the
 * views that output the old column with the same column under the new name.
 *
 * The contract keeps the old column's storage and drops the copy: it checks the two agree on every
 * row, then drops the trigger and the new column and renames the old one to the new name, one
 * catalog-only transaction. Indexes, constraints, foreign keys, defaults, identity and the views
 * reading the column all follow the column (they hold it by number, not by name), and nothing is
 * lost: the dropped copy held the same values. Its undo renames back and runs the expand again.
 */

const stateName = (p: RenameParams) => stateTableName("rename_column", p.table, p.from);
export const notNullCheckName = (table: string, column: string) =>
  boundedName("", [table, column], "_ma_not_null");

export async function expandRename(
  connection: PgConnection,
  p: RenameParams,
  context: StepContext,
): Promise<StepOutcome> {
  const schema = schemaOf(p);
  const name = stateName(p);
  const check = notNullCheckName(p.table, p.to);
  const ddl = await runDdl(
    connection,
    async (tx) => {
      const oid = await tableOid(tx, schema, p.table);
      if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
      // Refused in this first transaction, nothing is changed: it rolls back.
      const refuse = (reason: string) =>
        new InvalidColumnChangeError(tableName(p), p.from, reason, { changedNothing: true });
      let state = await readState(tx, schema, name);
      if (state && (state.stage === "contracting" || state.stage === "contracted")) {
        throw refuse(`the rename to ${p.to} is already contracted; revert the contract first`);
      }
      const old = await columnInfo(tx, oid, p.from);
      if (!old) throw refuse("no such column");
      if (old.generated) throw refuse("a generated column cannot be renamed by expand/contract");
      const existing = await columnInfo(tx, oid, p.to);
      if (!state) {
        if (existing) throw refuse(`the table already has a column ${p.to}`);
        state = newState({
          operation: "rename_column",
          schema,
          table: p.table,
          column: p.from,
          shadow: p.to,
          stage: "expanding",
          not_null: old.not_null,
          views_done: false,
          views: [],
        });
        await createState(tx, name, state);
      }
      if (!existing) {
        await tx.query(
          `ALTER TABLE ${qualify(schema, p.table)} ADD COLUMN ${quoteIdent(p.to)} ${old.type}${old.collation ? ` COLLATE ${old.collation}` : ""}`,
        );
      }
      if (state.not_null) await addNotNullCheck(tx, schema, p.table, oid, check, p.to);
      await installSync(tx, {
        schema,
        table: p.table,
        column: p.from,
        shadow: p.to,
        up: `NEW.${quoteIdent(p.from)}`,
        down: `NEW.${quoteIdent(p.to)}`,
      });
      const notes: string[] = [];
      if (!state.views_done) {
        const attnum = old.attnum;
        state.views = await extendViews(tx, oid, attnum, p.from, p.to, notes);
        state.views_done = true;
        await writeState(tx, name, state);
      }
      const shadow = await columnInfo(tx, oid, p.to);
      return { oid, attnum: shadow?.attnum ?? 0, notes, state };
    },
    retryOptions(context),
  );
  const { oid, attnum, state } = ddl.value;
  const filled = await runBackfill(
    connection,
    {
      schema,
      table: p.table,
      set: [[p.to, quoteIdent(p.from)]],
      skipTriggers: true,
      batchSize: p.batch_size ?? DEFAULT_BATCH_SIZE,
      targetBatchMs: p.target_batch_ms ?? DEFAULT_TARGET_BATCH_MS,
      token: `rename:${oid}:${attnum}`,
    },
    context,
  );
  const finish = await runDdl(
    connection,
    async (tx) => {
      if (state.not_null)
        await tx.query(`ALTER TABLE ${qualify(schema, p.table)} VALIDATE CONSTRAINT ${quoteIdent(check)}`);
      const current = await readState(tx, schema, name);
      if (current) await writeState(tx, name, { ...current, stage: "expanded" });
    },
    retryOptions(context),
  );
  return outcome([ddl.figures, finish.figures], filled, [...ddl.value.notes, ...filled.notes], {
    views_extended: state.views.length,
  });
}

export async function contractRename(
  connection: PgConnection,
  p: RenameParams,
  context: StepContext,
): Promise<StepOutcome> {
  const schema = schemaOf(p);
  const name = stateName(p);
  const state = await readState(connection.client, schema, name);
  if (!state) throw new ExpandStateMissingError("the contract of rename_column", tableName(p), p.from);
  if (state.stage === "contracted") {
    return {
      figures: { ddl_attempts: 0, lock_timeouts: 0, lock_wait_ms: 0 },
      notes: [`${tableName(p)}.${p.from} is already renamed to ${p.to}: nothing done`],
    };
  }
  if (state.stage !== "expanded") {
    throw new InvalidColumnChangeError(
      tableName(p),
      p.from,
      "the expand has not finished; run the expand step again, then contract",
    );
  }
  const table = qualify(schema, p.table);
  // The trigger keeps both equal on every write; a difference means writes that bypassed it.
  const differ = await connection.client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE ${quoteIdent(p.from)} IS DISTINCT FROM ${quoteIdent(p.to)}`,
  );
  const rows = differ.rows[0]?.n ?? 0;
  if (rows > 0) throw new ColumnsOutOfSyncError(tableName(p), p.from, p.to, rows);
  const { figures } = await runDdl(
    connection,
    async (tx) => {
      const current = await readState(tx, schema, name);
      if (current?.stage === "contracted") return;
      await removeSync(tx, schema, p.table, p.from);
      try {
        await tx.query(`ALTER TABLE ${table} DROP COLUMN ${quoteIdent(p.to)}`);
      } catch (error) {
        if (sqlState(error) !== "2BP01") throw error;
        throw new InvalidColumnChangeError(
          tableName(p),
          p.to,
          `objects created since the expand use the new column (${(error as Error).message}); drop them, contract, and create them again`,
        );
      }
      await tx.query(`ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(p.from)} TO ${quoteIdent(p.to)}`);
      await writeState(tx, name, { ...state, stage: "contracted" });
    },
    retryOptions(context),
  );
  return { figures: { ...figures, rows_checked_equal: 0 }, notes: [] };
}

export async function revertExpandRename(
  connection: PgConnection,
  p: RenameParams,
  context: StepContext,
): Promise<StepOutcome> {
  const schema = schemaOf(p);
  const name = stateName(p);
  const { value, figures } = await runDdl(
    connection,
    async (tx) => {
      const state = await readState(tx, schema, name);
      if (!state) return `no expand state for ${tableName(p)}.${p.from}: nothing to undo`;
      if (state.stage === "contracting" || state.stage === "contracted") {
        throw new InvalidColumnChangeError(
          tableName(p),
          p.from,
          "the rename is contracted; revert the contract first",
        );
      }
      await restoreViews(tx, state.views);
      await removeSync(tx, schema, p.table, p.from);
      await tx.query(`ALTER TABLE ${qualify(schema, p.table)} DROP COLUMN IF EXISTS ${quoteIdent(p.to)}`);
      await tx.query(`DROP TABLE ${qualify(schema, name)}`);
      return undefined;
    },
    retryOptions(context),
  );
  return { figures, notes: value ? [value] : [] };
}

export async function revertContractRename(
  connection: PgConnection,
  p: RenameParams,
  context: StepContext,
): Promise<StepOutcome> {
  const schema = schemaOf(p);
  const name = stateName(p);
  const { figures } = await runDdl(
    connection,
    async (tx) => {
      const state = await readState(tx, schema, name);
      if (!state)
        throw new ExpandStateMissingError("the revert of the rename_column contract", tableName(p), p.from);
      if (state.stage !== "contracted" && state.stage !== "contracting") return;
      const oid = await tableOid(tx, schema, p.table);
      if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
      if (!(await columnInfo(tx, oid, p.from))) {
        await tx.query(
          `ALTER TABLE ${qualify(schema, p.table)} RENAME COLUMN ${quoteIdent(p.to)} TO ${quoteIdent(p.from)}`,
        );
      }
      await writeState(tx, name, { ...state, stage: "expanding" });
    },
    retryOptions(context),
  );
  // Back to the expanded state: the new column again, synced and backfilled.
  const expanded = await expandRename(connection, { ...p, stage: "expand" }, context);
  const total = { ...expanded.figures };
  for (const k of ["ddl_attempts", "lock_timeouts", "lock_wait_ms"] as const) {
    total[k] = Number(total[k] ?? 0) + figures[k];
  }
  return { ...expanded, figures: total };
}

/** Whether the rename is at `stage`'s end: expanded (both columns, the trigger) or contracted. */
export async function renameReached(
  connection: PgConnection,
  p: RenameParams,
  stage: "expanded" | "contracted" | "none",
) {
  const schema = schemaOf(p);
  const q = connection.client;
  const state = await readState(q, schema, stateName(p));
  const oid = await tableOid(q, schema, p.table);
  if (oid === undefined) return false;
  const from = await columnInfo(q, oid, p.from);
  const to = await columnInfo(q, oid, p.to);
  if (stage === "none") return !state && !!from && !to;
  if (state?.stage !== stage) return false;
  if (stage === "contracted") return !from && !!to;
  return !!from && !!to && (await triggerExists(q, schema, p.table, syncTriggerName(p.from)));
}

/** CHECK (<column> IS NOT NULL) NOT VALID, unless there. */
export async function addNotNullCheck(
  tx: Queryable,
  schema: string,
  table: string,
  oid: number,
  check: string,
  column: string,
) {
  const { rows } = await tx.query<{ found: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = $1::int8::oid AND conname = $2) AS found",
    [oid, check],
  );
  if (rows[0]?.found) return;
  await tx.query(
    `ALTER TABLE ${qualify(schema, table)} ADD CONSTRAINT ${quoteIdent(check)} CHECK (${quoteIdent(column)} IS NOT NULL) NOT VALID`,
  );
}

/**
 * Offers the new name in the views that output the old column, by appending `<its expression> AS
 * <to>` to their select list (CREATE OR REPLACE VIEW, which keeps the view and its grants).
 * Returns the views' previous records, for the undo.
 */
async function extendViews(
  tx: Queryable,
  oid: number,
  attnum: number,
  from: string,
  to: string,
  notes: string[],
): Promise<ViewRecord[]> {
  const records: ViewRecord[] = [];
  const shown = await tx.query<{ name: string }>("SELECT pg_catalog.quote_ident($1) AS name", [from]);
  const display = shown.rows[0]?.name ?? from;
  for (const view of await viewsReading(tx, oid, attnum)) {
    if (!view.direct) continue;
    const columns = await tx.query<{ name: string }>(
      "SELECT attname AS name FROM pg_catalog.pg_attribute WHERE attrelid = $1::int8::oid AND attnum > 0 AND NOT attisdropped",
      [view.oid],
    );
    const names = columns.rows.map((r) => r.name);
    if (!names.includes(from) || names.includes(to)) continue;
    const label = `${view.schema}.${view.name}`;
    if (view.materialized) {
      notes.push(
        `materialized view ${label} outputs ${from}: not extended (it keeps reading the column under either name)`,
      );
      continue;
    }
    if (await hasReaders(tx, view.oid)) {
      notes.push(
        `view ${label} outputs ${from} but other views read it: not extended, so that its undo needs no cascade`,
      );
      continue;
    }
    const record = await recordView(tx, view.oid);
    const definition = appendOutputColumn(record.definition, display, to);
    if (!definition) {
      notes.push(`view ${label} outputs ${from} but is not one plain SELECT: not extended`);
      continue;
    }
    await replaceView(tx, record, definition);
    records.push(record);
  }
  return records;
}

/** Views back to their recorded definitions: dropped and created again (a column cannot be removed). */
export async function restoreViews(tx: Queryable, views: ViewRecord[]): Promise<void> {
  for (const view of [...views].reverse()) await dropView(tx, view);
  for (const view of views) await createView(tx, view);
}

function outcome(
  lockParts: LockFigures[],
  filled: BackfillResult,
  notes: string[],
  extra: Record<string, number>,
): StepOutcome {
  const figures = { ...filled.figures, ...extra };
  for (const part of lockParts) {
    for (const k of ["ddl_attempts", "lock_timeouts", "lock_wait_ms"] as const) figures[k] += part[k];
  }
  return { figures, notes };
}
