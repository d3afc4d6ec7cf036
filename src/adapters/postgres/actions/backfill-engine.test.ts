import { PGlite } from "@electric-sql/pglite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StepContext } from "../../types.js";
import { type PgConnection, pgConnection } from "../connection.js";
import { pgliteClient } from "../pglite-client.js";
import { backfill } from "./backfill.js";
import { backfillBackupName } from "./backfill-backup.js";
import { runBackfill } from "./backfill-engine.js";
import { BackfillParams } from "./backfill-params.js";
import { BackfillNeedsKeyError, BackfillPausedError, InvalidColumnChangeError } from "./expand-errors.js";
import { revertBackfill } from "./revert-backfill.js";

/** A StepContext whose progress lives in a real map, as the executor's store keeps it. */
function context(
  store: Map<string, Record<string, unknown>>,
  signal = new AbortController().signal,
  hook?: (n: number) => void,
) {
  let sets = 0;
  return {
    runId: "run",
    stepId: "step",
    signal,
    log: () => undefined,
    progress: {
      get: () => store.get("step"),
      set: async (value: Record<string, unknown>) => {
        sets++;
        hook?.(sets); // may throw: the batch is committed, its progress lost
        store.set("step", value);
      },
    },
  } satisfies StepContext;
}

describe("backfill", () => {
  let c: PgConnection;
  beforeEach(async () => {
    c = pgConnection(pgliteClient(await PGlite.create()), "pglite:memory", { kind: "memory" });
    await c.client.exec(`CREATE TABLE t (a int, b text, n int NOT NULL DEFAULT 0, PRIMARY KEY (a, b));
      INSERT INTO t (a, b) SELECT g / 7, 'k' || (g % 7) FROM generate_series(1, 500) g;
      CREATE TABLE nokey (x int, y int); INSERT INTO nokey VALUES (1, 1)`);
  });
  afterEach(() => c.client.close());
  const params = BackfillParams.parse({
    table: "t",
    set: { n: "n + 1" },
    batch_size: 10,
    target_batch_ms: 10_000,
  });
  const counts = async () =>
    (
      await c.client.query<{ n: number; rows: number }>(
        "SELECT n, count(*)::int AS rows FROM t GROUP BY n ORDER BY n",
      )
    ).rows;

  it("paused by the abort signal, resumes from the stored last key; every row set exactly once", async () => {
    const store = new Map<string, Record<string, unknown>>();
    const controller = new AbortController();
    const first = context(store, controller.signal, (n) => n === 3 && controller.abort());
    await expect(backfill.apply(c, params, first)).rejects.toBeInstanceOf(BackfillPausedError);
    const paused = store.get("step");
    expect(paused?.batches).toBe(3);
    // Fast batches against a 10s target: 10, then 20, then 40 rows.
    expect(paused?.rows).toBe(70);
    expect(await counts()).toEqual([
      { n: 0, rows: 430 },
      { n: 1, rows: 70 },
    ]);
    expect(await backfill.verify(c, params)).toBe(false);
    const logs: string[] = [];
    const outcome = await backfill.apply(c, params, { ...context(store), log: (m) => logs.push(m) });
    expect(outcome.notes?.some((n) => n.startsWith("resumed after key"))).toBe(true);
    expect((outcome.figures as Record<string, unknown>).rows).toBe(500);
    expect(await counts()).toEqual([{ n: 1, rows: 500 }]);
    expect(await backfill.verify(c, params)).toBe(true);
  });

  it("a crash after a batch committed but before its progress was stored: the batch is not applied twice", async () => {
    const store = new Map<string, Record<string, unknown>>();
    const crash = context(store, undefined, (n) => {
      if (n === 4) throw new Error("process killed");
    });
    await expect(backfill.apply(c, params, crash)).rejects.toThrow("process killed");
    expect(store.get("step")?.batches).toBe(3); // 4 batches committed, 3 recorded
    await backfill.apply(c, params, context(store));
    expect(await counts()).toEqual([{ n: 1, rows: 500 }]);
    // Applying once more (a resumed run after success) changes nothing.
    await backfill.apply(c, params, context(new Map()));
    expect(await counts()).toEqual([{ n: 1, rows: 500 }]);
    // The undo puts every previous value back, and drops the backup.
    await revertBackfill.apply(c, params, context(new Map()));
    expect(await counts()).toEqual([{ n: 0, rows: 500 }]);
    expect(await revertBackfill.verify(c, params)).toBe(true);
    const left = await c.client.query("SELECT 1 FROM pg_class WHERE relname = $1", [
      backfillBackupName(params),
    ]);
    expect(left.rows).toHaveLength(0);
  });

  it("an interrupted revert resumes: restored rows leave the backup", async () => {
    await backfill.apply(c, params, context(new Map()));
    await c.client.query(`DELETE FROM ${backfillBackupName(params)} WHERE a < 30`); // as if restored already
    await c.client.query("UPDATE t SET n = 0 WHERE a < 30");
    await revertBackfill.apply(c, params, context(new Map()));
    expect(await counts()).toEqual([{ n: 0, rows: 500 }]);
  });

  it("adapts its batch size and throttles when the probe is slow", async () => {
    const sleeps: number[] = [];
    let probes = 0;
    const result = await runBackfill(
      c,
      {
        schema: "public",
        table: "t",
        set: [["n", "n + 1"]],
        skipTriggers: false,
        batchSize: 100,
        targetBatchMs: 10_000,
        token: "x",
      },
      context(new Map()),
      {
        // Three baseline probes at 1ms, then traffic slows down to 80ms.
        probe: async () => (++probes <= 3 ? 1 : 80),
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
    );
    expect(result.figures.rows).toBe(500);
    expect(result.figures.throttles).toBeGreaterThan(0);
    expect(result.figures.throttle_ms).toBe(sleeps.reduce((a, b) => a + b, 0));
    expect(sleeps.every((ms) => ms >= 80)).toBe(true);
    expect(result.figures.final_batch_size).toBeLessThan(100 * 2);
  });

  it("grows the batch when batches are fast", async () => {
    const result = await runBackfill(
      c,
      {
        schema: "public",
        table: "t",
        set: [["n", "1"]],
        skipTriggers: false,
        batchSize: 10,
        targetBatchMs: 60_000,
        token: "y",
      },
      context(new Map()),
      { probe: async () => 1 },
    );
    expect(result.figures.final_batch_size).toBeGreaterThan(10);
    expect(result.figures.batches).toBeLessThan(50);
  });

  it("refuses a table without a primary key, a key column, an unknown column", async () => {
    const ctx = context(new Map());
    await expect(
      backfill.apply(c, BackfillParams.parse({ table: "nokey", set: { y: "2" } }), ctx),
    ).rejects.toBeInstanceOf(BackfillNeedsKeyError);
    await expect(
      backfill.apply(c, BackfillParams.parse({ table: "t", set: { a: "a + 1" } }), ctx),
    ).rejects.toBeInstanceOf(InvalidColumnChangeError);
    await expect(
      backfill.apply(c, BackfillParams.parse({ table: "t", set: { zz: "1" } }), ctx),
    ).rejects.toThrow(/no such column/);
  });

  it("rejects identifiers that are not plain names, and expressions that could end the statement", () => {
    expect(BackfillParams.safeParse({ table: "users; DROP TABLE x", set: { n: "1" } }).success).toBe(false);
    expect(BackfillParams.safeParse({ table: "t", set: { 'a"b': "1" } }).success).toBe(false);
    expect(BackfillParams.safeParse({ table: "t", set: { n: "1; DROP TABLE t" } }).success).toBe(false);
    expect(BackfillParams.safeParse({ table: "t", set: { n: "1" }, where: "true) OR (1=1" }).success).toBe(
      false,
    );
    expect(BackfillParams.safeParse({ table: "t", set: {} }).success).toBe(false);
  });
});
