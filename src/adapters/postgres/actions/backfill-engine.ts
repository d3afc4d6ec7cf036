import type { StepContext } from "../../types.js";
import { type Queryable, sqlState } from "../client.js";
import type { PgConnection } from "../connection.js";
import { type LockFigures, runDdl } from "../ddl.js";
import { qualify, quoteIdent } from "../identifiers.js";
import { primaryKey, tableOid } from "../introspect.js";
import { retryOptions } from "./common.js";
import { BackfillNeedsKeyError, BackfillPausedError } from "./expand-errors.js";

/**
 * The batched UPDATE every backfill runs (postgres.backfill, and the copy into the new column of
 * rename_column / alter_column_type expands), DESIGN.md §4 "batched by key range, throttled,
 * resumable from its last key".
 *
 * - Batches follow the primary key (one column or several: keyset pagination on the tuple, so a
 *   partitioned table's `(payment_date, payment_id)` works on the parent): each batch finds its
 *   upper key, then updates the rows in `(last, upper]`, in a transaction of its own under
 *   `lock_timeout`, retried like any DDL (row locks held by the application time out, not queue).
 * - The batch size adapts multiplicatively to `targetBatchMs` (×0.5 to ×2 per batch, bounded).
 * - Between batches a cheap read of the table is timed; when it is much slower than the baseline
 *   taken at the start, the backfill sleeps and halves its batch (the time is `throttle_ms`).
 * - After every batch the last key goes to `context.progress`; a re-run starts from there when the
 *   progress carries the same `token` (the same backup table, the same new column).
 * - Exactly once, even when the progress write is lost: in `backup` mode each changed row's
 *   previous values go to the backup table in the batch's transaction, and rows already in it are
 *   never touched again; in plain mode only rows whose columns differ from the expressions change,
 *   which is idempotent for a deterministic copy.
 */
export interface BackfillSpec {
  schema: string;
  table: string;
  /** column → SQL expression over the row. */
  set: [string, string][];
  where?: string | undefined;
  /** The backup table (in `schema`) holding the primary key and the previous values of `set`. */
  backup?: string | undefined;
  /** Run the batches with session_replication_role = replica, when the role may. */
  skipTriggers: boolean;
  batchSize: number;
  targetBatchMs: number;
  /** Progress is reused only when it carries this token. */
  token: string;
}

export interface BackfillOptions {
  /** Latency of one probe query, in ms (tests pass a fake). */
  probe?: () => Promise<number>;
  sleep?: (ms: number) => Promise<void>;
}

export interface BackfillResult {
  figures: Record<string, number | boolean> & {
    ddl_attempts: number;
    lock_timeouts: number;
    lock_wait_ms: number;
  };
  notes: string[];
}

const MIN_BATCH = 10;
const MAX_BATCH = 50_000;
/** The probe must be this many times slower than the baseline (and 20ms slower) to throttle. */
const SLOW_FACTOR = 4;
const SLOW_MARGIN_MS = 20;

export async function runBackfill(
  connection: PgConnection,
  spec: BackfillSpec,
  context: StepContext,
  options: BackfillOptions = {},
): Promise<BackfillResult> {
  const client = connection.client;
  const table = qualify(spec.schema, spec.table);
  const oid = await tableOid(client, spec.schema, spec.table);
  if (oid === undefined) throw new Error(`table ${spec.schema}.${spec.table} does not exist`);
  const keys = await primaryKey(client, oid);
  if (keys.length === 0) throw new BackfillNeedsKeyError(`${spec.schema}.${spec.table}`);
  const types = await keyTypes(client, oid, keys);
  const notes: string[] = [];
  const skip = spec.skipTriggers && (await maySkipTriggers(connection));
  if (spec.skipTriggers && !skip) {
    notes.push(
      `the role may not set session_replication_role: the table's own triggers fired during the backfill of ${spec.table}`,
    );
  }
  if (client.driver === "pglite") {
    notes.push(
      "PGlite has one connection: the throttling probe measures the backfill's own engine, not other traffic",
    );
  }

  const saved = context.progress.get();
  let last =
    saved?.token === spec.token && Array.isArray(saved.last_key) && saved.last_key.length === keys.length
      ? (saved.last_key as string[])
      : undefined;
  let rows = typeof saved?.rows === "number" && last ? saved.rows : 0;
  let batches = 0;
  let size = clamp(
    typeof saved?.batch_size === "number" && last ? saved.batch_size : spec.batchSize,
    MIN_BATCH,
    MAX_BATCH,
  );
  if (last) notes.push(`resumed after key (${last.join(", ")})`);

  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const probe = options.probe ?? (() => timeProbe(client, table));
  const baseline = median([await probe(), await probe(), await probe()]);
  const lock: LockFigures = { ddl_attempts: 0, lock_timeouts: 0, lock_wait_ms: 0 };
  let throttleMs = 0;
  let throttles = 0;
  let maxBatchMs = 0;
  const started = Date.now();
  const keyList = keys.map(quoteIdent).join(", ");
  const statement = batchStatement(spec, table, keys);

  for (;;) {
    if (context.signal.aborted) throw new BackfillPausedError(spec.table, last, rows);
    const t0 = Date.now();
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        const upper = await upperKey(tx, table, keyList, keys, types, last, size);
        if (!upper) return undefined;
        if (skip) await tx.query("SELECT set_config('session_replication_role', 'replica', true)");
        const params = [...(last ?? []), ...upper];
        const changed = await tx.query(statement(types, last !== undefined), params);
        return { upper, changed: changed.rowCount };
      },
      retryOptions(context),
    );
    for (const k of ["ddl_attempts", "lock_timeouts", "lock_wait_ms"] as const) lock[k] += figures[k];
    if (!value) break;
    const elapsed = Date.now() - t0;
    maxBatchMs = Math.max(maxBatchMs, elapsed);
    batches++;
    rows += value.changed;
    last = value.upper;
    // Multiplicative, bounded: one slow batch halves the next at most, one fast one doubles it.
    size = clamp(
      Math.round(size * clamp(spec.targetBatchMs / Math.max(elapsed, 1), 0.5, 2)),
      MIN_BATCH,
      MAX_BATCH,
    );
    await context.progress.set({ token: spec.token, last_key: last, rows, batches, batch_size: size });
    const latency = await probe();
    if (latency > Math.max(baseline * SLOW_FACTOR, baseline + SLOW_MARGIN_MS)) {
      // Traffic is suffering: give the server the time of a batch back, and make batches smaller.
      const pause = Math.min(5_000, Math.max(elapsed, latency));
      context.log(
        `backfill of ${spec.table}: probe took ${latency}ms (baseline ${baseline}ms); pausing ${pause}ms`,
      );
      await sleep(pause);
      throttleMs += pause;
      throttles++;
      size = clamp(Math.round(size / 2), MIN_BATCH, MAX_BATCH);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    figures: {
      ...lock,
      rows,
      batches,
      final_batch_size: size,
      rows_per_s: seconds > 0 ? Math.round(rows / seconds) : rows,
      throttle_ms: throttleMs,
      throttles,
      max_batch_ms: maxBatchMs,
      probe_baseline_ms: baseline,
      triggers_skipped: skip,
    },
    notes,
  };
}

/** `(a, b) > ($1::t1, $2::t2)`, with parameters numbered from `from`. */
function keyCompare(keys: string[], types: string[], op: string, from: number, prefix = ""): string {
  const left = keys.map((k) => `${prefix}${quoteIdent(k)}`).join(", ");
  const right = types.map((t, i) => `$${from + i}::${t}`).join(", ");
  return `(${left}) ${op} (${right})`;
}

/**
 * The last key of the next batch: the `size`-th key after `last`, or the table's last key when
 * fewer remain; undefined when none remain. Keys travel as text, printed in ISO style so that they
 * read back the same whatever the session's DateStyle.
 */
async function upperKey(
  tx: Queryable,
  table: string,
  keyList: string,
  keys: string[],
  types: string[],
  last: string[] | undefined,
  size: number,
): Promise<string[] | undefined> {
  const styles = await tx.query<{ d: string; i: string }>(
    "SELECT current_setting('DateStyle') AS d, current_setting('IntervalStyle') AS i",
  );
  await tx.query(
    "SELECT set_config('DateStyle', 'ISO, YMD', true), set_config('IntervalStyle', 'postgres', true)",
  );
  const after = last ? `WHERE ${keyCompare(keys, types, ">", 1)}` : "";
  const asText = keys.map((k, i) => `${quoteIdent(k)}::text AS k${i}`).join(", ");
  const find = async (order: string, offset: number) => {
    const { rows } = await tx.query<Record<string, string>>(
      `SELECT ${asText} FROM ${table} ${after} ORDER BY ${order} LIMIT 1 OFFSET ${offset}`,
      last ?? [],
    );
    return rows[0] ? keys.map((_, i) => String(rows[0]?.[`k${i}`])) : undefined;
  };
  const descending = keys.map((k) => `${quoteIdent(k)} DESC`).join(", ");
  const upper = (await find(keyList, size - 1)) ?? (await find(descending, 0));
  const first = styles.rows[0];
  await tx.query("SELECT set_config('DateStyle', $1, true), set_config('IntervalStyle', $2, true)", [
    first?.d,
    first?.i,
  ]);
  return upper;
}

/**
 * The batch statement. Plain mode: `UPDATE … WHERE range AND where AND something differs`. Backup
 * mode: one statement whose first part locks the batch's rows not yet in the backup and copies
 * their previous values into it, and whose UPDATE changes exactly those rows.
 */
function batchStatement(spec: BackfillSpec, table: string, keys: string[]) {
  const differs = spec.set.map(([c, e]) => `${quoteIdent(c)} IS DISTINCT FROM (${e})`).join(" OR ");
  const assignments = spec.set.map(([c, e]) => `${quoteIdent(c)} = (${e})`).join(", ");
  const where = spec.where ? ` AND (${spec.where})` : "";
  return (types: string[], hasLower: boolean) => {
    const upperFrom = hasLower ? keys.length + 1 : 1;
    const range = `${hasLower ? `${keyCompare(keys, types, ">", 1, `${table}.`)} AND ` : ""}${keyCompare(keys, types, "<=", upperFrom, `${table}.`)}`;
    if (!spec.backup) return `UPDATE ${table} SET ${assignments} WHERE ${range}${where} AND (${differs})`;
    const backup = qualify(spec.schema, spec.backup);
    const cols = [...keys, ...spec.set.map(([c]) => c)].map(quoteIdent).join(", ");
    const notSaved = keys.map((k) => `b.${quoteIdent(k)} = ${table}.${quoteIdent(k)}`).join(" AND ");
    const returning = keys.map((k, i) => `${quoteIdent(k)} AS ma_k${i}`).join(", ");
    const join = `(${keys.map((k) => `${table}.${quoteIdent(k)}`).join(", ")}) = (${keys.map((_, i) => `saved.ma_k${i}`).join(", ")})`;
    return `WITH saved AS (
      INSERT INTO ${backup} (${cols})
      SELECT ${cols} FROM ${table}
       WHERE ${range}${where} AND (${differs})
         AND NOT EXISTS (SELECT 1 FROM ${backup} AS b WHERE ${notSaved})
       ORDER BY ${keys.map(quoteIdent).join(", ")} FOR UPDATE
      RETURNING ${returning})
    UPDATE ${table} SET ${assignments} FROM saved WHERE ${join}`;
  };
}

/** The key columns' types as `format_type` prints them, for casts of the text keys. */
export async function keyTypes(q: Queryable, oid: number, keys: string[]): Promise<string[]> {
  const { rows } = await q.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::int8::oid AND a.attname = ANY($2::text[])`,
    [oid, keys],
  );
  return keys.map((k) => {
    const type = rows.find((r) => r.name === k)?.type;
    if (!type) throw new Error(`key column ${k} not found`);
    return type;
  });
}

/**
 * Whether this role may set session_replication_role (superuser, or granted SET on it): tried in a
 * transaction that is always rolled back.
 */
export async function maySkipTriggers(connection: PgConnection): Promise<boolean> {
  const probe = new Error("probe");
  try {
    await connection.client.transaction(async (tx) => {
      await tx.query("SELECT set_config('session_replication_role', 'replica', true)");
      throw probe;
    });
  } catch (error) {
    if (error === probe) return true;
    if (sqlState(error) === "42501") return false;
    throw error;
  }
  return false;
}

async function timeProbe(q: Queryable, table: string): Promise<number> {
  const t0 = performance.now();
  await q.query(`SELECT 1 FROM ${table} LIMIT 1`);
  return Math.round((performance.now() - t0) * 10) / 10;
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
