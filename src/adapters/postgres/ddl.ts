import { type Queryable, sqlState } from "./client.js";
import type { PgConnection } from "./connection.js";
import { LockTimeoutError } from "./errors.js";

/**
 * Every DDL statement runs under `SET lock_timeout` and is retried with exponential backoff and
 * jitter (DESIGN.md §4): a statement that needs an ACCESS EXCLUSIVE lock must not queue behind a
 * long transaction, because every query that arrives after it would queue behind it in turn.
 */

/** How much waiting a step's DDL did, for its figures. */
export interface LockFigures {
  [key: string]: number;
  ddl_attempts: number;
  /** Attempts that timed out waiting for a lock (or lost a deadlock) and were retried or given up. */
  lock_timeouts: number;
  /** Time spent in attempts that timed out, and in backoff. */
  lock_wait_ms: number;
}

export interface RetryOptions {
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** For tests: how to wait, and where jitter comes from. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** 55P03 lock_not_available (lock_timeout), 40P01 deadlock_detected: both worth another try. */
const RETRYABLE = new Set(["55P03", "40P01"]);

/**
 * Runs `fn` in a transaction whose first statement sets `lock_timeout`; the whole transaction is
 * retried when a lock wait times out, so `fn` must check before it acts (it re-runs from the start).
 */
export function runDdl<T>(
  connection: PgConnection,
  fn: (tx: Queryable) => Promise<T>,
  options: RetryOptions = {},
): Promise<{ value: T; figures: LockFigures }> {
  return withLockRetries(
    connection,
    () =>
      connection.client.transaction(async (tx) => {
        await tx.query("SELECT set_config('lock_timeout', $1, true)", [`${connection.ddl.lockTimeoutMs}ms`]);
        return fn(tx);
      }),
    options,
  );
}

/**
 * Runs a script outside a transaction (it may hold its own, or CREATE INDEX CONCURRENTLY) on one
 * connection with a session `lock_timeout`, reset afterwards; retried like `runDdl`.
 */
export function runScript(
  connection: PgConnection,
  sql: string,
  options: RetryOptions = {},
): Promise<{ value: undefined; figures: LockFigures }> {
  return withLockRetries(
    connection,
    () =>
      connection.client.pinned(async (session) => {
        await session.query("SELECT set_config('lock_timeout', $1, false)", [
          `${connection.ddl.lockTimeoutMs}ms`,
        ]);
        try {
          await session.exec(sql);
        } catch (error) {
          // A script that failed inside its own BEGIN leaves the session in an aborted transaction.
          await session.exec("ROLLBACK").catch(() => undefined);
          throw error;
        } finally {
          await session.query("RESET lock_timeout").catch(() => undefined);
        }
        return undefined;
      }),
    options,
  );
}

async function withLockRetries<T>(
  connection: PgConnection,
  attempt: () => Promise<T>,
  options: RetryOptions,
): Promise<{ value: T; figures: LockFigures }> {
  const { maxAttempts, baseDelayMs, maxDelayMs, lockTimeoutMs } = connection.ddl;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  const figures: LockFigures = { ddl_attempts: 0, lock_timeouts: 0, lock_wait_ms: 0 };
  for (;;) {
    figures.ddl_attempts++;
    const started = Date.now();
    try {
      return { value: await attempt(), figures };
    } catch (error) {
      const code = sqlState(error);
      if (!code || !RETRYABLE.has(code)) throw error;
      figures.lock_timeouts++;
      figures.lock_wait_ms += Date.now() - started;
      if (figures.ddl_attempts >= maxAttempts || options.signal?.aborted) {
        throw new LockTimeoutError(figures.ddl_attempts, lockTimeoutMs, (error as Error).message);
      }
      // Exponential backoff with "equal jitter": half the delay fixed, half random, so that
      // retrying sessions spread out instead of colliding again.
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (figures.ddl_attempts - 1));
      const wait = Math.round(delay / 2 + random() * (delay / 2));
      options.log?.(
        `lock not granted within ${lockTimeoutMs}ms (attempt ${figures.ddl_attempts} of ${maxAttempts}); retrying in ${wait}ms`,
      );
      await sleep(wait);
      figures.lock_wait_ms += wait;
    }
  }
}
