import { createHash } from "node:crypto";
import type { StepContext } from "../../types.js";
import type { Queryable } from "../client.js";
import type { PgConnection } from "../connection.js";
import { type LockFigures, runDdl } from "../ddl.js";
import { qualify, quoteIdent } from "../identifiers.js";
import { BOOKKEEPING_PREFIX } from "../user-objects.js";
import { readRecord, writeRecord } from "./bookkeeping-record.js";
import { retryOptions } from "./common.js";

/**
 * What postgres.backfill keeps so that revert_backfill can undo it without loss: a table
 * `ma_backup_bf_…` holding, for every row the backfill changed, its primary key and the previous
 * values of the columns it set; its comment says what it belongs to and whether the backfill
 * finished. Snapshots leave `ma_backup_…` tables out.
 */
export interface BackfillBackup {
  format: "migration-architect backfill backup";
  version: 1;
  schema: string;
  table: string;
  columns: string[];
  primary_key: string[];
  /** Whether the backfill ran with the table's triggers off; its revert does the same. */
  skip_triggers: boolean;
  status: "running" | "done";
}

const FORMAT = "migration-architect backfill backup";
const MAX_NAME_BYTES = 63;

/**
 * `ma_backup_bf_<table>_<hash>`: the hash covers the columns, expressions and filter, so that two
 * backfills of one table keep two backups.
 */
export function backfillBackupName(p: {
  table: string;
  set: Record<string, string>;
  where?: string | undefined;
}) {
  const canonical = JSON.stringify([p.table, Object.entries(p.set).sort(), p.where ?? null]);
  const hash = createHash("sha256").update(canonical).digest("hex");
  const plain = `${BOOKKEEPING_PREFIX}bf_${p.table}_${hash.slice(0, 10)}`;
  return Buffer.byteLength(plain) <= MAX_NAME_BYTES ? plain : `${BOOKKEEPING_PREFIX}bf_${hash.slice(0, 40)}`;
}

export async function readBackfillBackup(
  q: Queryable,
  schema: string,
  name: string,
): Promise<(BackfillBackup & { oid: number }) | undefined> {
  const found = await readRecord<BackfillBackup>(q, schema, name, FORMAT);
  return found && { ...found.record, oid: found.oid };
}

export function writeBackfillBackup(q: Queryable, name: string, backup: BackfillBackup): Promise<void> {
  return writeRecord(q, backup.schema, name, backup);
}

/** The backup table: the key's and the set columns' types, keyed like the table. */
export async function createBackfillBackup(
  q: Queryable,
  name: string,
  oid: number,
  backup: Omit<BackfillBackup, "format" | "version">,
): Promise<void> {
  const columns = [...backup.primary_key, ...backup.columns];
  const { rows } = await q.query<{ name: string; type: string; collation: string | null }>(
    `SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                 THEN pg_catalog.quote_ident(co.collname) END AS collation
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
      WHERE a.attrelid = $1::int8::oid AND a.attname = ANY($2::text[]) AND NOT a.attisdropped`,
    [oid, columns],
  );
  const definitions = columns.map((c) => {
    const r = rows.find((x) => x.name === c);
    if (!r) throw new Error(`column ${c} not found`);
    return `${quoteIdent(c)} ${r.type}${r.collation ? ` COLLATE ${r.collation}` : ""}`;
  });
  await q.query(
    `CREATE TABLE ${qualify(backup.schema, name)} (${definitions.join(", ")}, PRIMARY KEY (${backup.primary_key.map(quoteIdent).join(", ")}))`,
  );
  await writeBackfillBackup(q, name, { format: FORMAT, version: 1, ...backup });
}

/**
 * Puts the previous values back, batch by batch in key order; each batch deletes its rows from
 * the backup in the same transaction, so an interrupted revert resumes where it stopped. Rows
 * deleted from the table since are just dropped from the backup. Then drops the backup.
 */
export async function restoreFromBackfillBackup(
  connection: PgConnection,
  name: string,
  backup: BackfillBackup,
  context: StepContext,
  batchSize: number,
): Promise<{ rows: number; batches: number; lock: LockFigures }> {
  const table = qualify(backup.schema, backup.table);
  const source = qualify(backup.schema, name);
  const keys = backup.primary_key.map(quoteIdent);
  const order = keys.join(", ");
  const assignments = backup.columns.map((c) => `${quoteIdent(c)} = batch.${quoteIdent(c)}`).join(", ");
  const join = `(${keys.map((k) => `${table}.${k}`).join(", ")}) = (${keys.map((k) => `batch.${k}`).join(", ")})`;
  const lock: LockFigures = { ddl_attempts: 0, lock_timeouts: 0, lock_wait_ms: 0 };
  let rows = 0;
  let batches = 0;
  for (;;) {
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        if (backup.skip_triggers)
          await tx.query("SELECT set_config('session_replication_role', 'replica', true)");
        const done = await tx.query<{ n: number }>(
          `WITH batch AS (
             DELETE FROM ${source} WHERE (${order}) IN (SELECT ${order} FROM ${source} ORDER BY ${order} LIMIT ${batchSize})
             RETURNING *),
           restored AS (UPDATE ${table} SET ${assignments} FROM batch WHERE ${join} RETURNING 1)
           SELECT (SELECT count(*) FROM batch)::int AS n`,
        );
        return done.rows[0]?.n ?? 0;
      },
      retryOptions(context),
    );
    for (const k of ["ddl_attempts", "lock_timeouts", "lock_wait_ms"] as const) lock[k] += figures[k];
    if (value === 0) break;
    rows += value;
    batches++;
  }
  const dropped = await runDdl(
    connection,
    (tx) => tx.query(`DROP TABLE IF EXISTS ${source}`),
    retryOptions(context),
  );
  for (const k of ["ddl_attempts", "lock_timeouts", "lock_wait_ms"] as const) lock[k] += dropped.figures[k];
  return { rows, batches, lock };
}
