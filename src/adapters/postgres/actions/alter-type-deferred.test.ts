import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StepContext } from "../../types.js";
import {
  type Backend,
  type Fresh,
  pgliteBackend,
  postgresBackend,
  stepContext,
} from "../backends.contract.js";
import type { PgConnection } from "../connection.js";
import { snapshotPostgres } from "../snapshot.js";
import { alterColumnType } from "./alter-column-type.js";
import { backfill } from "./backfill.js";
import { ColumnsOutOfSyncError } from "./expand-errors.js";
import { revertAlterColumnType } from "./revert-alter-column-type.js";
import { revertBackfill } from "./revert-backfill.js";

/**
 * alter_column_type with `backfill: false`, as a planner writes it: expand (shadow + sync trigger)
 * → postgres.backfill of the shadow → contract, and the rollback of the three in reverse.
 */
const url = process.env.TEST_DATABASE_URL;
const backends: [string, () => Backend][] = [["PGlite", pgliteBackend]];
if (url) backends.push(["PostgreSQL", () => postgresBackend(url)]);

const type = (column: string, stage: "expand" | "contract", extra: Record<string, unknown> = {}) =>
  alterColumnType.params.parse({ table: "orders", column, type: "bigint", stage, ...extra });
const fill = (column: string) =>
  backfill.params.parse({
    table: "orders",
    set: { [`${column}_ma_new`]: `${column}::bigint` },
    where: `${column}_ma_new IS DISTINCT FROM ${column}::bigint`,
    batch_size: 10,
  });
const shape = async (c: PgConnection) => {
  const s = await snapshotPostgres(c, "app-db");
  return { fingerprint: s.fingerprint, checksums: s.checksums };
};

/** A context whose progress writes (one after every batch) run `between` first. */
function betweenBatches(between: (batch: number) => Promise<void>): StepContext {
  let batch = 0;
  return { ...stepContext(), progress: { get: () => undefined, set: () => between(++batch) } };
}

describe.each(backends)("alter_column_type with a backfill step, on %s", (_name, make) => {
  const backend = make();
  let db: Fresh;
  let c: PgConnection;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    db = await backend.fresh();
    c = db.connection;
  });
  afterEach(() => db.close());
  const one = async (sql: string) => Object.values((await c.client.query(sql)).rows[0] ?? {})[0];

  it("expand → backfill → contract, and the rollback in reverse brings back the source exactly", async () => {
    const source = await shape(c);
    await alterColumnType.apply(c, type("total_cents", "expand", { backfill: false }), stepContext());
    expect(await alterColumnType.verify(c, type("total_cents", "expand", { backfill: false }))).toBe(true);
    expect(await one("SELECT count(*)::int FROM orders WHERE total_cents_ma_new IS NULL")).toBe(40);
    await backfill.apply(c, fill("total_cents"), stepContext());
    expect(await backfill.verify(c, fill("total_cents"))).toBe(true);
    await alterColumnType.apply(c, type("total_cents", "contract"), stepContext());
    expect(await alterColumnType.verify(c, type("total_cents", "contract"))).toBe(true);
    expect(
      await one(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'total_cents'",
      ),
    ).toBe("bigint");
    expect(
      await one(
        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'total_cents'",
      ),
    ).toBe(true);

    await revertAlterColumnType.apply(c, type("total_cents", "contract"), stepContext());
    expect(await revertAlterColumnType.verify(c, type("total_cents", "contract"))).toBe(true);
    // The backfill's undo puts NULLs into the shadow: neither the sync trigger nor a check is in its way.
    await revertBackfill.apply(c, fill("total_cents"), stepContext());
    expect(await revertBackfill.verify(c, fill("total_cents"))).toBe(true);
    expect(await one("SELECT count(*)::int FROM orders WHERE total_cents_ma_new IS NULL")).toBe(40);
    await revertAlterColumnType.apply(c, type("total_cents", "expand", { backfill: false }), stepContext());
    expect(await shape(c)).toEqual(source);
  });

  it("the contract refuses while the shadow is not backfilled, saying to run the backfill step", async () => {
    await alterColumnType.apply(c, type("total_cents", "expand", { backfill: false }), stepContext());
    const refused = alterColumnType.apply(c, type("total_cents", "contract"), stepContext());
    await expect(refused).rejects.toBeInstanceOf(ColumnsOutOfSyncError);
    await expect(refused).rejects.toThrow(
      `orders.total_cents and total_cents_ma_new differ on 40 rows (not backfilled yet?): run the postgres.backfill step first (set: { total_cents_ma_new: '"total_cents"::bigint' }), then contract`,
    );
    // Nothing moved: the expand's state holds, and after the backfill the contract goes through.
    expect(await alterColumnType.verify(c, type("total_cents", "expand", { backfill: false }))).toBe(true);
    await backfill.apply(c, fill("total_cents"), stepContext());
    await alterColumnType.apply(c, type("total_cents", "contract"), stepContext());
    expect(await alterColumnType.verify(c, type("total_cents", "contract"))).toBe(true);
  });

  it("a write to the old column between two batches ends in the shadow, before or after the batch", async () => {
    await alterColumnType.apply(c, type("total_cents", "expand", { backfill: false }), stepContext());
    const total = await one("SELECT sum(total_cents)::text FROM orders");
    let batches = 0;
    const context = betweenBatches(async (batch) => {
      batches = batch;
      if (batch !== 1) return;
      // Row 1 is in the first batch (done), row 40 in the last (not reached yet).
      await c.client.query("UPDATE orders SET total_cents = total_cents + 1 WHERE id IN (1, 40)");
    });
    await backfill.apply(c, fill("total_cents"), context);
    expect(batches).toBeGreaterThan(1);
    expect(
      await one(
        "SELECT count(*)::int FROM orders WHERE total_cents_ma_new IS DISTINCT FROM total_cents::bigint",
      ),
    ).toBe(0);
    // The trigger fired on the backfill's own UPDATEs (new → old, the same value): no harm done.
    expect(await one("SELECT (sum(total_cents) - 2)::text FROM orders")).toBe(total);
    // Row 40 was filled by the trigger, so the backfill (and its undo) leave it alone.
    expect(await one("SELECT count(*)::int FROM orders WHERE total_cents_ma_new IS NOT NULL")).toBe(40);
    await revertBackfill.apply(c, fill("total_cents"), stepContext());
    expect(await one("SELECT count(*)::int FROM orders WHERE total_cents_ma_new IS NOT NULL")).toBe(1);
    expect(await one("SELECT (sum(total_cents) - 2)::text FROM orders")).toBe(total);
  });

  it("the backfill's undo leaves a nullable old column's values alone", async () => {
    await c.client.query("ALTER TABLE orders ADD COLUMN discount_cents integer");
    await c.client.query("UPDATE orders SET discount_cents = CASE WHEN id % 4 = 0 THEN NULL ELSE id END");
    const before = await one("SELECT md5(string_agg(discount_cents::text, ',' ORDER BY id)) FROM orders");
    await alterColumnType.apply(c, type("discount_cents", "expand", { backfill: false }), stepContext());
    await backfill.apply(c, fill("discount_cents"), stepContext());
    await revertBackfill.apply(c, fill("discount_cents"), stepContext());
    expect(await one("SELECT md5(string_agg(discount_cents::text, ',' ORDER BY id)) FROM orders")).toBe(
      before,
    );
    expect(await one("SELECT count(*)::int FROM orders WHERE discount_cents_ma_new IS NOT NULL")).toBe(0);
  });
});
