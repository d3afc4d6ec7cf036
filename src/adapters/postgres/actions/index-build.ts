import { type Queryable, sqlState } from "../client.js";
import type { PgConnection } from "../connection.js";
import { type LockFigures, type RetryOptions, runDdl, runScript } from "../ddl.js";
import { LockTimeoutError } from "../errors.js";
import { qualify } from "../identifiers.js";
import { NameTakenError } from "./constraint-errors.js";
import { isIndex, relationByName, relationKind } from "./index-catalog.js";

/**
 * One index to build: its definition as pg_get_indexdef prints it (`CREATE [UNIQUE] INDEX name ON
 * [ONLY] schema.table USING …`), and, for the partition of a partitioned index, the index to
 * attach it to. A plan lists a partitioned index before its partitions.
 */
export interface IndexNode {
  schema: string;
  table: string;
  name: string;
  definition: string;
  parent?: { schema: string; name: string };
}

/** A step's outcome so far: its lock figures, added up, and its notes. */
export interface Progress {
  figures: LockFigures;
  notes: string[];
}

export const newProgress = (): Progress => ({
  figures: { ddl_attempts: 0, lock_timeouts: 0, lock_wait_ms: 0 },
  notes: [],
});

export function addFigures(progress: Progress, figures: LockFigures): void {
  progress.figures.ddl_attempts += figures.ddl_attempts;
  progress.figures.lock_timeouts += figures.lock_timeouts;
  progress.figures.lock_wait_ms += figures.lock_wait_ms;
}

const CONCURRENTLY = /^CREATE (UNIQUE )?INDEX /;
const ON_ONLY = / ON ONLY /;

/**
 * Builds the indexes of a plan, each one checked before it is built, so that a re-run after a
 * crash finishes what is missing: an index is built CONCURRENTLY (reads and writes go on); an
 * INVALID one left by a failed or killed build is dropped first; a partitioned index is made ON
 * ONLY its table (a catalog change under lock_timeout: PostgreSQL cannot build one CONCURRENTLY),
 * then each partition's index is built CONCURRENTLY and attached, and the partitioned index turns
 * valid once the last is attached.
 */
export async function buildIndexes(
  connection: PgConnection,
  nodes: readonly IndexNode[],
  progress: Progress,
  options: RetryOptions,
): Promise<number> {
  let built = 0;
  for (const node of nodes) {
    const existing = await relationByName(connection.client, node.schema, node.name);
    if (
      existing &&
      (!isIndex(existing) || existing.table !== node.table || existing.table_schema !== node.schema)
    ) {
      throw new NameTakenError(node.schema, node.name, relationKind(existing));
    }
    if (ON_ONLY.test(node.definition)) {
      if (!existing) {
        const { figures } = await runDdl(connection, (tx) => tx.query(node.definition), options);
        addFigures(progress, figures);
        built++;
      }
    } else if (!existing?.valid) {
      if (existing) {
        await dropInvalid(connection, node, progress, options);
        progress.notes.push(
          `dropped the INVALID index ${node.schema}.${node.name} a failed or interrupted build had left, then built it again`,
        );
      }
      await buildConcurrently(connection, node, progress, options);
      built++;
    }
    if (node.parent && !(await attachedTo(connection.client, node, node.parent))) {
      const parent = node.parent;
      const { figures } = await runDdl(
        connection,
        async (tx) => {
          if (await attachedTo(tx, node, parent)) return;
          await tx.query(
            `ALTER INDEX ${qualify(parent.schema, parent.name)} ATTACH PARTITION ${qualify(node.schema, node.name)}`,
          );
        },
        options,
      );
      addFigures(progress, figures);
    }
  }
  return built;
}

async function attachedTo(
  q: Queryable,
  node: IndexNode,
  parent: { schema: string; name: string },
): Promise<boolean> {
  const now = await relationByName(q, node.schema, node.name);
  return now?.parent_index === parent.name && now.parent_index_schema === parent.schema;
}

async function dropInvalid(
  connection: PgConnection,
  node: IndexNode,
  progress: Progress,
  options: RetryOptions,
) {
  // An INVALID index is never used by queries, but every write still maintains it.
  const { figures } = await runScript(
    connection,
    `DROP INDEX CONCURRENTLY IF EXISTS ${qualify(node.schema, node.name)}`,
    options,
  );
  addFigures(progress, figures);
}

/**
 * CREATE INDEX CONCURRENTLY under lock_timeout, with the same backoff as every DDL statement.
 * Its own loop rather than runScript's retries: a build that times out waiting for older
 * transactions does so after it has made its catalog entry, and leaves an INVALID index that
 * must be dropped before the next attempt. Any other failure (duplicates for a unique index)
 * also drops what it left, then is thrown for the caller to explain.
 */
async function buildConcurrently(
  connection: PgConnection,
  node: IndexNode,
  progress: Progress,
  options: RetryOptions,
): Promise<void> {
  if (!CONCURRENTLY.test(node.definition)) throw new Error(`not an index definition: ${node.definition}`);
  const statement = node.definition.replace(CONCURRENTLY, "CREATE $1INDEX CONCURRENTLY ");
  const once = { ...connection, ddl: { ...connection.ddl, maxAttempts: 1 } };
  const { maxAttempts, baseDelayMs, maxDelayMs, lockTimeoutMs } = connection.ddl;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    try {
      const { figures } = await runScript(once, statement, options);
      addFigures(progress, figures);
      return;
    } catch (error) {
      const waited = Date.now() - started;
      const leftover = await relationByName(connection.client, node.schema, node.name);
      if (leftover && isIndex(leftover) && !leftover.valid)
        await dropInvalid(connection, node, progress, options);
      if (!(error instanceof LockTimeoutError)) throw error;
      progress.figures.ddl_attempts++;
      progress.figures.lock_timeouts++;
      progress.figures.lock_wait_ms += waited;
      if (attempt >= maxAttempts || options.signal?.aborted) {
        throw new LockTimeoutError(
          attempt,
          lockTimeoutMs,
          `CREATE INDEX CONCURRENTLY ${node.name}: ${error.detail}`,
        );
      }
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      const wait = Math.round(delay / 2 + random() * (delay / 2));
      options.log?.(
        `index ${node.name}: lock not granted within ${lockTimeoutMs}ms (attempt ${attempt} of ${maxAttempts}); retrying in ${wait}ms`,
      );
      await sleep(wait);
      progress.figures.lock_wait_ms += wait;
    }
  }
}

/**
 * Drops an index: CONCURRENTLY, or, for a partitioned index (which PostgreSQL cannot drop
 * CONCURRENTLY), with a short lock under lock_timeout, said in a note.
 */
export async function dropIndex(
  connection: PgConnection,
  schema: string,
  name: string,
  partitioned: boolean,
  progress: Progress,
  options: RetryOptions,
): Promise<void> {
  if (partitioned) {
    const { figures } = await runDdl(
      connection,
      (tx) => tx.query(`DROP INDEX IF EXISTS ${qualify(schema, name)}`),
      options,
    );
    addFigures(progress, figures);
    progress.notes.push(
      `${schema}.${name} is a partitioned index, which PostgreSQL cannot drop CONCURRENTLY: dropped with its partitions' indexes under a short ACCESS EXCLUSIVE lock (lock_timeout ${connection.ddl.lockTimeoutMs}ms)`,
    );
    return;
  }
  const { figures } = await runScript(
    connection,
    `DROP INDEX CONCURRENTLY IF EXISTS ${qualify(schema, name)}`,
    options,
  );
  addFigures(progress, figures);
}

/** Whether an error is PostgreSQL's unique_violation (a unique index over duplicate values). */
export const isUniqueViolation = (error: unknown) => sqlState(error) === "23505";
