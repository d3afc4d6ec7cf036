import { shadowColumnName } from "../../../core/catalog/shadow-column.js";
import type { StepContext, StepOutcome } from "../../types.js";
import { type Queryable, sqlState } from "../client.js";
import type { PgConnection } from "../connection.js";
import { type LockFigures, runDdl, runScript } from "../ddl.js";
import { TableDoesNotExistError } from "../errors.js";
import { qualify, quoteIdent, quoteLiteral } from "../identifiers.js";
import { columnInfo, primaryKey, sameType, tableOid } from "../introspect.js";
import { maySkipTriggers, runBackfill } from "./backfill-engine.js";
import { DEFAULT_BATCH_SIZE, DEFAULT_TARGET_BATCH_MS } from "./backfill-params.js";
import { newBackup, readBackupComment, writeBackupComment } from "./column-backup.js";
import { columnDependents } from "./column-dependents.js";
import { retryOptions, schemaOf, tableName } from "./common.js";
import { ColumnsOutOfSyncError, ExpandStateMissingError, InvalidColumnChangeError } from "./expand-errors.js";
import type { AlterTypeParams } from "./expand-params.js";
import { addNotNullCheck, notNullCheckName } from "./expand-rename.js";
import {
  boundedName,
  createState,
  type ExpandState,
  newState,
  readState,
  stateTableName,
  writeState,
} from "./expand-state.js";
import { createView, dropView, recordView, viewsReading } from "./expand-views.js";
import {
  installSync,
  overNew,
  removeSync,
  type SyncSpec,
  syncTriggerName,
  triggerExists,
} from "./sync-trigger.js";

/**
 * The stages of postgres.alter_column_type and their undo.
 *
 * expand: a shadow column `<column>_ma_new` of the new type, kept equal by the sync trigger (new
 * = USING(old); old = new::old_type when that cast exists, otherwise writes to the new column do
 * not reach the old one, and the step says so), backfilled in batches, NOT NULL carried by a CHECK
 * validated after the backfill. A NULL put into the shadow never reaches the old column: there it
 * means "not filled yet" (the shadow is a derived copy; the old column is the truth until the
 * contract), which is what lets a postgres.backfill step over the shadow be undone.
 *
 * expand with `backfill: false`: the shadow and the trigger only; the copy is a postgres.backfill
 * step of its own (throttled, resumable, undoable), and the NOT NULL CHECK waits for the contract,
 * since that step's undo puts NULLs back into the shadow.
 *
 * contract: checks the two agree on every row (else: run the backfill step first), adds the NOT
 * NULL CHECK if the expand left it out and validates it (SHARE UPDATE EXCLUSIVE: writes go on),
 * keeps the old column's values (and definition, constraints, indexes, comment) in
 * `ma_backup_at_<table>_<column>_old`, then in one transaction
 * drops the views reading the column, the trigger and the old column, renames the shadow to the
 * column's name (catalog-only), puts back its default, NOT NULL (from the validated check, without
 * a scan), CHECK and foreign-key constraints (NOT VALID, validated just after) and the views (same
 * definitions). Indexes are then built again, CONCURRENTLY on PostgreSQL. Unique, exclusion and
 * primary-key constraints, unique indexes, owned sequences, triggers or policies on the column,
 * and materialized views reading it, are refused: each would leave a window without its guarantee.
 */

const stateName = (p: AlterTypeParams) => stateTableName("alter_column_type", p.table, p.column);
export const oldBackupName = (table: string, column: string) =>
  boundedName("ma_backup_at_", [table, column], "_old");
const usingOf = (p: AlterTypeParams) => p.using ?? `${quoteIdent(p.column)}::${p.type}`;
const LOCK_KEYS = ["ddl_attempts", "lock_timeouts", "lock_wait_ms"] as const;

function syncSpec(schema: string, p: AlterTypeParams, state: ExpandState): SyncSpec {
  return {
    schema,
    table: p.table,
    column: p.column,
    shadow: state.shadow,
    up: overNew(p.table, state.using ?? usingOf(p)),
    // A NULL shadow is a row not filled yet (or a backfill's undo): the old column keeps its value.
    down: state.two_way
      ? `COALESCE(NEW.${quoteIdent(state.shadow)}::${state.old_type}, NEW.${quoteIdent(p.column)})`
      : undefined,
  };
}

/** Whether a SQL statement runs (tried in a transaction that is always rolled back). */
async function works(connection: PgConnection, sql: string): Promise<string | undefined> {
  const done = new Error("done");
  try {
    await connection.client.transaction(async (tx) => {
      await tx.query(sql);
      throw done;
    });
  } catch (error) {
    if (error === done) return undefined;
    return (error as Error).message;
  }
  return undefined;
}

export async function expandAlter(
  connection: PgConnection,
  p: AlterTypeParams,
  context: StepContext,
): Promise<StepOutcome> {
  const schema = schemaOf(p);
  const name = stateName(p);
  const table = qualify(schema, p.table);
  const shadow = shadowColumnName(p.column);
  const check = notNullCheckName(p.table, shadow);
  const copy = p.backfill !== false;
  // Every refusal here comes before the expand changes anything.
  const refuse = (reason: string) =>
    new InvalidColumnChangeError(tableName(p), p.column, reason, { changedNothing: true });
  const notes: string[] = [];
  let state = await readState(connection.client, schema, name);
  if (!state) {
    const oid = await tableOid(connection.client, schema, p.table);
    if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
    const old = await columnInfo(connection.client, oid, p.column);
    if (!old) throw refuse("no such column");
    if (old.generated || old.identity)
      throw refuse("generated and identity columns are not converted by expand/contract");
    if (await sameType(connection.client, old.type, p.type))
      throw refuse(`it is already of type ${old.type}`);
    const broken = await works(connection, `SELECT (${usingOf(p)})::${p.type} FROM ${table} LIMIT 0`);
    if (broken) throw refuse(`the conversion ${usingOf(p)} does not work: ${broken}`);
    const twoWay = (await works(connection, `SELECT (NULL::${p.type})::${old.type}`)) === undefined;
    state = newState({
      operation: "alter_column_type",
      schema,
      table: p.table,
      column: p.column,
      shadow,
      stage: "expanding",
      not_null: old.not_null,
      views_done: true,
      views: [],
      old_type: old.type,
      new_type: p.type,
      using: usingOf(p),
      two_way: twoWay,
      backfill_step: !copy,
    });
  }
  if (state.stage === "contracting" || state.stage === "contracted") {
    throw refuse(`the change to ${p.type} is already contracted; revert the contract first`);
  }
  if (!state.two_way) {
    notes.push(
      `there is no cast from ${state.new_type} back to ${state.old_type}: writes to ${shadow} do not reach ${p.column}; keep writing ${p.column} until the contract`,
    );
  }
  const planned = state;
  // The check is added NOT VALID (no scan) with the column; validated once the rows are copied.
  const checkNow = planned.not_null && !planned.backfill_step;
  if (!copy) {
    notes.push(
      `the rows are not copied: a postgres.backfill step must set ${shadow} = ${planned.using ?? usingOf(p)} before the contract`,
    );
  }
  const ddl = await runDdl(
    connection,
    async (tx) => {
      const oid = await tableOid(tx, schema, p.table);
      if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
      if (!(await readState(tx, schema, name))) {
        if (await columnInfo(tx, oid, shadow)) throw refuse(`the table already has a column ${shadow}`);
        await createState(tx, name, planned);
      }
      if (!(await columnInfo(tx, oid, shadow))) {
        await tx.query(`ALTER TABLE ${table} ADD COLUMN ${quoteIdent(shadow)} ${p.type}`);
      }
      if (checkNow) await addNotNullCheck(tx, schema, p.table, oid, check, shadow);
      await installSync(tx, syncSpec(schema, p, planned));
      return { oid, attnum: (await columnInfo(tx, oid, shadow))?.attnum ?? 0 };
    },
    retryOptions(context),
  );
  const filled = copy
    ? await runBackfill(
        connection,
        {
          schema,
          table: p.table,
          set: [[shadow, planned.using ?? usingOf(p)]],
          skipTriggers: true,
          batchSize: p.batch_size ?? DEFAULT_BATCH_SIZE,
          targetBatchMs: p.target_batch_ms ?? DEFAULT_TARGET_BATCH_MS,
          token: `alter:${ddl.value.oid}:${ddl.value.attnum}`,
        },
        context,
      )
    : // No copy: no rows, no batches; the figures are the DDL's alone.
      { figures: { ddl_attempts: 0, lock_timeouts: 0, lock_wait_ms: 0, rows: 0 }, notes: [] };
  const finish = await runDdl(
    connection,
    async (tx) => {
      // Without the copy, NULL shadows remain: the contract validates the check, after the backfill.
      if (checkNow && copy) await tx.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${quoteIdent(check)}`);
      const current = await readState(tx, schema, name);
      if (current) await writeState(tx, name, { ...current, stage: "expanded" });
    },
    retryOptions(context),
  );
  const figures = { ...filled.figures };
  for (const k of LOCK_KEYS) figures[k] += ddl.figures[k] + finish.figures[k];
  return {
    figures: { ...figures, two_way: planned.two_way === true, backfill_step: !copy },
    notes: [...notes, ...filled.notes],
  };
}

export async function contractAlter(
  connection: PgConnection,
  p: AlterTypeParams,
  context: StepContext,
): Promise<StepOutcome> {
  const schema = schemaOf(p);
  const name = stateName(p);
  const table = qualify(schema, p.table);
  const state = await readState(connection.client, schema, name);
  if (!state) throw new ExpandStateMissingError("the contract of alter_column_type", tableName(p), p.column);
  const refuse = (reason: string) => new InvalidColumnChangeError(tableName(p), p.column, reason);
  const lock: LockFigures = { ddl_attempts: 0, lock_timeouts: 0, lock_wait_ms: 0 };
  const add = (f: LockFigures) => {
    for (const k of LOCK_KEYS) lock[k] += f[k];
  };
  const notes: string[] = [];
  if (state.stage === "contracted") {
    return {
      figures: { ...lock },
      notes: [`${tableName(p)}.${p.column} is already of type ${state.new_type}: nothing done`],
    };
  }
  if (state.stage !== "expanded" && state.stage !== "contracting") {
    throw refuse("the expand has not finished; run the expand step again, then contract");
  }
  let backedUp = 0;
  if (state.stage === "expanded") {
    const differ = await connection.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE ${quoteIdent(state.shadow)} IS DISTINCT FROM (${state.using})::${state.new_type}`,
    );
    const rows = differ.rows[0]?.n ?? 0;
    if (rows > 0) {
      throw state.backfill_step
        ? new ColumnsOutOfSyncError(
            tableName(p),
            p.column,
            state.shadow,
            rows,
            `(not backfilled yet?): run the postgres.backfill step first (set: { ${state.shadow}: '${(state.using ?? usingOf(p)).replaceAll("'", "''")}' }), then contract; if it has run, writes bypassed the sync trigger: run the expand again without backfill: false to copy them`,
          )
        : new ColumnsOutOfSyncError(tableName(p), p.column, state.shadow, rows);
    }
    if (state.not_null) add(await validatedNotNull(connection, schema, p, state, context));
    const swapped = await runDdl(
      connection,
      (tx) => swap(tx, schema, p, state, refuse),
      retryOptions(context),
    );
    add(swapped.figures);
    backedUp = swapped.value;
  }
  const current = (await readState(connection.client, schema, name)) ?? state;
  for (const c of current.constraints ?? []) {
    if (c.definition.endsWith("NOT VALID")) continue;
    const validated = await runDdl(
      connection,
      (tx) => tx.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${quoteIdent(c.name)}`),
      retryOptions(context),
    );
    add(validated.figures);
  }
  for (const index of current.indexes ?? [])
    add(await rebuildIndex(connection, schema, index, notes, context));
  const done = await runDdl(
    connection,
    (tx) => writeState(tx, name, { ...current, stage: "contracted" }),
    retryOptions(context),
  );
  add(done.figures);
  return {
    figures: {
      ...lock,
      backed_up_rows: backedUp,
      backup_table: `${schema}.${oldBackupName(p.table, p.column)}`,
    },
    notes,
  };
}

/**
 * The shadow's NOT NULL CHECK before the swap: added NOT VALID (a moment of ACCESS EXCLUSIVE, no
 * scan) when the expand left it to the contract, then validated in a transaction of its own (SHARE
 * UPDATE EXCLUSIVE: writes go on during the scan), so that the swap's SET NOT NULL needs no scan.
 */
async function validatedNotNull(
  connection: PgConnection,
  schema: string,
  p: AlterTypeParams,
  state: ExpandState,
  context: StepContext,
): Promise<LockFigures> {
  const check = notNullCheckName(p.table, state.shadow);
  const added = await runDdl(
    connection,
    async (tx) => {
      const oid = await tableOid(tx, schema, p.table);
      if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
      await addNotNullCheck(tx, schema, p.table, oid, check, state.shadow);
      const { rows } = await tx.query<{ valid: boolean }>(
        "SELECT convalidated AS valid FROM pg_catalog.pg_constraint WHERE conrelid = $1::int8::oid AND conname = $2",
        [oid, check],
      );
      return rows[0]?.valid === true;
    },
    retryOptions(context),
  );
  if (added.value) return added.figures;
  const validated = await runDdl(
    connection,
    (tx) => tx.query(`ALTER TABLE ${qualify(schema, p.table)} VALIDATE CONSTRAINT ${quoteIdent(check)}`),
    retryOptions(context),
  );
  const figures = { ...added.figures };
  for (const k of LOCK_KEYS) figures[k] += validated.figures[k];
  return figures;
}

/** The contract's one transaction: back up the old column, swap in the new one, views again. */
async function swap(
  tx: Queryable,
  schema: string,
  p: AlterTypeParams,
  state: ExpandState,
  refuse: (reason: string) => Error,
): Promise<number> {
  const table = qualify(schema, p.table);
  const name = stateName(p);
  const oid = await tableOid(tx, schema, p.table);
  if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
  const old = await columnInfo(tx, oid, p.column);
  if (!old) throw refuse("the old column is gone but the contract did not finish; check the table by hand");
  const keys = await primaryKey(tx, oid);
  if (keys.length === 0) throw refuse("the table has no primary key to key the backup by");
  const dependents = await columnDependents(tx, oid, old.attnum);
  const blockers = dependents.blockers.filter((b) => !/^rule _RETURN on view /.test(b));
  if (blockers.length) throw refuse(`the contract cannot carry ${blockers.join(", ")} over to the new type`);
  for (const c of dependents.constraints) {
    if (!/^(CHECK|FOREIGN KEY) /.test(c.definition))
      throw refuse(`constraint ${c.name} (${c.definition}) would be unenforced during the swap`);
  }
  const indexes = dependents.indexes.map((definition) => ({ name: indexName(definition), definition }));
  const unique = indexes.find((i) => /^CREATE UNIQUE /.test(i.definition));
  if (unique) throw refuse(`unique index ${unique.name} would be unenforced during the swap`);
  const readers = await viewsReading(tx, oid, old.attnum);
  const materialized = readers.find((v) => v.materialized);
  if (materialized)
    throw refuse(
      `materialized view ${materialized.schema}.${materialized.name} reads it; drop it first and create it again after the contract`,
    );
  const views = [];
  for (const v of readers) views.push(await recordView(tx, v.oid));
  const comment = await tx.query<{ comment: string | null }>(
    "SELECT pg_catalog.col_description($1::int8::oid, $2) AS comment",
    [oid, old.attnum],
  );

  // Writers wait while the old values are copied, so that none is lost; readers go on.
  await tx.query(`LOCK TABLE ${table} IN SHARE MODE`);
  const backup = oldBackupName(p.table, p.column);
  await tx.query(`DROP TABLE IF EXISTS ${qualify(schema, backup)}`);
  await tx.query(
    `CREATE TABLE ${qualify(schema, backup)} AS SELECT ${[...keys, p.column].map(quoteIdent).join(", ")} FROM ${table}`,
  );
  const counted = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${qualify(schema, backup)}`);
  const rows = counted.rows[0]?.n ?? 0;
  await writeBackupComment(
    tx,
    newBackup({
      schema,
      table: p.table,
      column: p.column,
      type: old.type,
      not_null: old.not_null,
      default: old.default,
      collation: old.collation,
      comment: comment.rows[0]?.comment ?? null,
      primary_key: keys,
      constraints: dependents.constraints,
      indexes: dependents.indexes,
      rows,
      taken_at: new Date().toISOString(),
    }),
    backup,
  );
  for (const v of [...views].reverse()) await dropView(tx, v);
  await removeSync(tx, schema, p.table, p.column);
  await tx.query(`ALTER TABLE ${table} DROP COLUMN ${quoteIdent(p.column)}`);
  await tx.query(`ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(state.shadow)} TO ${quoteIdent(p.column)}`);
  const column = `${table} ALTER COLUMN ${quoteIdent(p.column)}`;
  if (old.default !== null) await tx.query(`ALTER TABLE ${column} SET DEFAULT (${old.default})`);
  if (state.not_null) {
    // The validated CHECK (… IS NOT NULL) lets SET NOT NULL skip the scan.
    await tx.query(`ALTER TABLE ${column} SET NOT NULL`);
    await tx.query(
      `ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(notNullCheckName(p.table, state.shadow))}`,
    );
  }
  for (const c of dependents.constraints) {
    const notValid = c.definition.endsWith("NOT VALID") ? "" : " NOT VALID";
    await tx.query(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}${notValid}`);
  }
  const text = comment.rows[0]?.comment;
  if (text) await tx.query(`COMMENT ON COLUMN ${table}.${quoteIdent(p.column)} IS ${quoteLiteral(text)}`);
  for (const v of views) await createView(tx, v);
  await writeState(tx, name, {
    ...state,
    stage: "contracting",
    views,
    default: old.default,
    comment: text ?? null,
    constraints: dependents.constraints,
    indexes,
  });
  return rows;
}

function indexName(definition: string): string {
  const m = definition.match(/^CREATE (?:UNIQUE )?INDEX ("(?:[^"]|"")+"|\S+) ON /);
  const raw = m?.[1] ?? "";
  return raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw;
}

/** An index of the old column built again on the new one: CONCURRENTLY on PostgreSQL. */
async function rebuildIndex(
  connection: PgConnection,
  schema: string,
  index: { name: string; definition: string },
  notes: string[],
  context: StepContext,
): Promise<LockFigures> {
  const { rows } = await connection.client.query<{ valid: boolean }>(
    `SELECT i.indisvalid AS valid FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, index.name],
  );
  if (rows[0]?.valid) return { ddl_attempts: 0, lock_timeouts: 0, lock_wait_ms: 0 };
  if (connection.client.driver === "pglite") {
    notes.push(
      `PGlite has no CREATE INDEX CONCURRENTLY: index ${index.name} was built with a plain CREATE INDEX`,
    );
    return (
      await runDdl(
        connection,
        async (tx) => {
          await tx.query(`DROP INDEX IF EXISTS ${qualify(schema, index.name)}`);
          await tx.query(index.definition);
        },
        retryOptions(context),
      )
    ).figures;
  }
  // An invalid index left by an interrupted build is dropped first.
  if (rows[0])
    await runScript(
      connection,
      `DROP INDEX CONCURRENTLY IF EXISTS ${qualify(schema, index.name)}`,
      retryOptions(context),
    );
  return (
    await runScript(
      connection,
      index.definition.replace(/^CREATE (UNIQUE )?INDEX /, "CREATE $1INDEX CONCURRENTLY "),
      retryOptions(context),
    )
  ).figures;
}

export async function revertExpandAlter(
  connection: PgConnection,
  p: AlterTypeParams,
  context: StepContext,
): Promise<StepOutcome> {
  const schema = schemaOf(p);
  const name = stateName(p);
  const { value, figures } = await runDdl(
    connection,
    async (tx) => {
      const state = await readState(tx, schema, name);
      if (!state) return `no expand state for ${tableName(p)}.${p.column}: nothing to undo`;
      if (state.stage === "contracting" || state.stage === "contracted") {
        throw new InvalidColumnChangeError(
          tableName(p),
          p.column,
          "the type change is contracted; revert the contract first",
        );
      }
      await removeSync(tx, schema, p.table, p.column);
      await tx.query(
        `ALTER TABLE ${qualify(schema, p.table)} DROP COLUMN IF EXISTS ${quoteIdent(state.shadow)}`,
      );
      await tx.query(`DROP TABLE ${qualify(schema, name)}`);
      return undefined;
    },
    retryOptions(context),
  );
  return { figures, notes: value ? [value] : [] };
}

/**
 * Back to the post-expand state: the new-type column renamed back to the shadow's name, the old
 * column restored from its backup (values by primary key; rows inserted since the contract get
 * the new value converted back), its constraints, indexes and comment, the views, the trigger.
 */
export async function revertContractAlter(
  connection: PgConnection,
  p: AlterTypeParams,
  context: StepContext,
): Promise<StepOutcome> {
  const schema = schemaOf(p);
  const name = stateName(p);
  const table = qualify(schema, p.table);
  const state = await readState(connection.client, schema, name);
  if (!state)
    throw new ExpandStateMissingError("the revert of the alter_column_type contract", tableName(p), p.column);
  if (state.stage === "expanding") return expandAlter(connection, { ...p, stage: "expand" }, context);
  if (state.stage === "expanded") {
    return {
      figures: { ddl_attempts: 0, lock_timeouts: 0, lock_wait_ms: 0 },
      notes: ["the contract is already undone: nothing done"],
    };
  }
  const backupName = oldBackupName(p.table, p.column);
  const check = notNullCheckName(p.table, state.shadow);
  const checked = state.not_null && !state.backfill_step;
  const skip = await maySkipTriggers(connection);
  const restored = await runDdl(
    connection,
    async (tx) => {
      // Putting values back is not an application write: the table's own triggers (last_update,
      // audit) stay quiet when the role may say so. Constraints are checked again when re-added.
      if (skip) await tx.query("SELECT set_config('session_replication_role', 'replica', true)");
      const backup = await readBackupComment(tx, schema, backupName);
      if (!backup)
        throw new InvalidColumnChangeError(
          tableName(p),
          p.column,
          `its backup ${backupName} is missing; the old values cannot be put back`,
        );
      for (const v of [...state.views].reverse()) await dropView(tx, v);
      for (const c of state.constraints ?? [])
        await tx.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${quoteIdent(c.name)}`);
      for (const i of state.indexes ?? []) await tx.query(`DROP INDEX IF EXISTS ${qualify(schema, i.name)}`);
      const column = `${table} ALTER COLUMN ${quoteIdent(p.column)}`;
      await tx.query(`ALTER TABLE ${column} DROP DEFAULT`);
      if (state.not_null) await tx.query(`ALTER TABLE ${column} DROP NOT NULL`);
      if (state.comment) await tx.query(`COMMENT ON COLUMN ${table}.${quoteIdent(p.column)} IS NULL`);
      await tx.query(
        `ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(p.column)} TO ${quoteIdent(state.shadow)}`,
      );
      const oid = (await tableOid(tx, schema, p.table)) as number;
      // As after the expand: without the check when a backfill step fills the shadow (its undo
      // puts NULLs back).
      if (checked) await addNotNullCheck(tx, schema, p.table, oid, check, state.shadow);
      const old = quoteIdent(p.column);
      await tx.query(
        `ALTER TABLE ${table} ADD COLUMN ${old} ${backup.type}${backup.collation ? ` COLLATE ${backup.collation}` : ""}` +
          `${backup.default !== null ? ` DEFAULT (${backup.default})` : ""}`,
      );
      const join = backup.primary_key.map((k) => `t.${quoteIdent(k)} = b.${quoteIdent(k)}`).join(" AND ");
      await tx.query(
        `UPDATE ${table} AS t SET ${old} = b.${old} FROM ${qualify(schema, backupName)} AS b WHERE ${join}`,
      );
      if (state.two_way) {
        // Rows written since the contract exist only in the new type: converted back.
        await tx.query(
          `UPDATE ${table} AS t SET ${old} = t.${quoteIdent(state.shadow)}::${backup.type}
            WHERE NOT EXISTS (SELECT 1 FROM ${qualify(schema, backupName)} AS b WHERE ${join})`,
        );
      }
      if (backup.not_null) await tx.query(`ALTER TABLE ${column} SET NOT NULL`);
      for (const c of backup.constraints)
        await tx.query(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`);
      for (const statement of backup.indexes) await tx.query(statement);
      if (backup.comment !== null)
        await tx.query(`COMMENT ON COLUMN ${table}.${old} IS ${quoteLiteral(backup.comment)}`);
      for (const v of state.views) await createView(tx, v);
      await installSync(tx, syncSpec(schema, p, state));
      await tx.query(`DROP TABLE ${qualify(schema, backupName)}`);
      const { constraints: _c, indexes: _i, ...rest } = state;
      await writeState(tx, name, { ...rest, stage: "expanding", views: [] });
    },
    retryOptions(context),
  ).catch((error: unknown) => {
    if (sqlState(error) === "23502") {
      throw new InvalidColumnChangeError(
        tableName(p),
        p.column,
        "rows written since the contract have no old value (no cast back): fill them, then revert again",
      );
    }
    throw error;
  });
  // The CHECK on the shadow validated again, as after the expand.
  const finish = await runDdl(
    connection,
    async (tx) => {
      if (checked) await tx.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${quoteIdent(check)}`);
      const current = await readState(tx, schema, name);
      if (current) await writeState(tx, name, { ...current, stage: "expanded" });
    },
    retryOptions(context),
  );
  const figures = { ...restored.figures };
  for (const k of LOCK_KEYS) figures[k] += finish.figures[k];
  return {
    figures: { ...figures, triggers_skipped: skip },
    notes: skip
      ? []
      : [
          "the role may not set session_replication_role: the table's triggers fired while the old values were put back",
        ],
  };
}

export async function alterReached(
  connection: PgConnection,
  p: AlterTypeParams,
  stage: "expanded" | "contracted" | "none",
) {
  const schema = schemaOf(p);
  const q = connection.client;
  const state = await readState(q, schema, stateName(p));
  const oid = await tableOid(q, schema, p.table);
  if (oid === undefined) return false;
  const column = await columnInfo(q, oid, p.column);
  const shadow = await columnInfo(q, oid, shadowColumnName(p.column));
  if (stage === "none") return !state && !!column && !shadow;
  if (state?.stage !== stage || !column) return false;
  if (stage === "contracted") return !shadow && (await sameType(q, column.type, p.type));
  return !!shadow && (await triggerExists(q, schema, p.table, syncTriggerName(p.column)));
}
