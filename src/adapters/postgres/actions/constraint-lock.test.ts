import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StepOutcome } from "../../types.js";
import { postgresBackend, stepContext } from "../backends.contract.js";
import type { PgConnection } from "../connection.js";
import { addCheckConstraint } from "./add-check-constraint.js";
import { createIndex } from "./create-index.js";
import { setNotNull } from "./set-not-null.js";

/**
 * Lock safety under contention (PostgreSQL only; contention.contract.ts shows the retries of a
 * single ALTER behind a reader). Here a writer holds ROW EXCLUSIVE on orders in an open
 * transaction, which conflicts with the ACCESS EXCLUSIVE the constraint steps need for their
 * short statements (and that CREATE INDEX CONCURRENTLY waits for); traffic keeps reading and writing orders on other connections. The step must
 * retry under lock_timeout without ever holding traffic up for much longer than the timeout, and
 * succeed once the writer commits. A control shows the same measurement catching the queue an
 * ALTER without lock_timeout builds.
 */
const url = process.env.TEST_DATABASE_URL;
if (!url) console.log("constraint lock-safety tests skipped: TEST_DATABASE_URL is not set");

const LOCK_TIMEOUT_MS = 200;
const HOLD_MS = 1_500;
/** How much longer than the lock timeout a traffic statement may take: scheduling, a busy CI box. */
const MARGIN_MS = 400;

describe.skipIf(!url)("constraint steps under a conflicting lock (PostgreSQL)", () => {
  const backend = postgresBackend(url ?? "");
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());

  /** Reads and writes on orders from two connections, each statement timed, until stopped. */
  async function traffic(dbUrl: string) {
    const clients = [new pg.Client({ connectionString: dbUrl }), new pg.Client({ connectionString: dbUrl })];
    await Promise.all(clients.map((c) => c.connect()));
    const latencies: number[] = [];
    let running = true;
    const loops = clients.map(async (client, k) => {
      for (let i = 0; running; i++) {
        const id = 2 + ((i * 2 + k) % 39); // never row 1, which the holder has locked
        const started = Date.now();
        if (i % 2 === 0) await client.query("SELECT count(*) FROM orders WHERE user_id = $1", [id % 30]);
        else await client.query("UPDATE orders SET total_cents = total_cents WHERE id = $1", [id]);
        latencies.push(Date.now() - started);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    return {
      async stop() {
        running = false;
        await Promise.all(loops);
        await Promise.all(clients.map((c) => c.end()));
        return { count: latencies.length, max: Math.max(...latencies) };
      },
    };
  }

  /** Runs `act` while a writer holds ROW EXCLUSIVE on orders for HOLD_MS, with traffic going on. */
  async function underContention<T>(dbUrl: string, act: () => Promise<T>) {
    const holder = new pg.Client({ connectionString: dbUrl });
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query("UPDATE orders SET status = status WHERE id = 1");
    const load = await traffic(dbUrl);
    const started = Date.now();
    const release = setTimeout(() => void holder.query("COMMIT"), HOLD_MS);
    try {
      const value = await act();
      return { value, elapsed: Date.now() - started, traffic: await load.stop() };
    } finally {
      clearTimeout(release);
      await holder.query("COMMIT").catch(() => undefined);
      await holder.end();
    }
  }

  const cases: [
    string,
    string,
    (c: PgConnection) => Promise<StepOutcome>,
    (c: PgConnection) => Promise<boolean>,
  ][] = [
    [
      "add_check_constraint",
      "SELECT 1",
      (c) =>
        addCheckConstraint.apply(
          c,
          { table: "orders", name: "orders_total_check", expression: "total_cents >= 0" },
          stepContext(),
        ),
      (c) =>
        addCheckConstraint.verify(c, {
          table: "orders",
          name: "orders_total_check",
          expression: "total_cents >= 0",
        }),
    ],
    [
      "set_not_null",
      "ALTER TABLE orders ADD COLUMN channel text; UPDATE orders SET channel = 'web'",
      (c) => setNotNull.apply(c, { table: "orders", column: "channel" }, stepContext()),
      (c) => setNotNull.verify(c, { table: "orders", column: "channel" }),
    ],
    [
      // CREATE INDEX CONCURRENTLY blocks no traffic, but waits for the writer's transaction: each
      // attempt that times out leaves an INVALID index, dropped before the next.
      "create_index",
      "SELECT 1",
      (c) =>
        createIndex.apply(
          c,
          createIndex.params.parse({ table: "orders", columns: ["status"] }),
          stepContext(),
        ),
      async (c) => {
        const { rows } = await c.client.query("SELECT count(*)::int AS n FROM pg_index WHERE NOT indisvalid");
        const params = createIndex.params.parse({ table: "orders", columns: ["status"] });
        return rows[0]?.n === 0 && (await createIndex.verify(c, params));
      },
    ],
  ];

  it.each(cases)(
    "%s retries under lock_timeout without holding traffic up, then succeeds",
    async (_name, setup, apply, verify) => {
      const db = await backend.fresh();
      try {
        const c = db.connection;
        await c.client.exec(setup);
        c.ddl = {
          ...c.ddl,
          lockTimeoutMs: LOCK_TIMEOUT_MS,
          baseDelayMs: 50,
          maxDelayMs: 200,
          maxAttempts: 40,
        };
        const run = await underContention(db.url ?? "", () => apply(c));
        // It could only finish after the holder committed.
        expect(run.elapsed).toBeGreaterThanOrEqual(HOLD_MS - 50);
        expect(Number(run.value.figures?.lock_timeouts)).toBeGreaterThan(0);
        expect(Number(run.value.figures?.lock_wait_ms)).toBeGreaterThanOrEqual(LOCK_TIMEOUT_MS);
        expect(run.traffic.count).toBeGreaterThan(20);
        expect(run.traffic.max).toBeLessThan(LOCK_TIMEOUT_MS + MARGIN_MS);
        expect(await verify(c)).toBe(true);
      } finally {
        await db.close();
      }
    },
  );

  it("control: the same ALTER without lock_timeout queues traffic behind it until the holder commits", async () => {
    const db = await backend.fresh();
    try {
      const alter = new pg.Client({ connectionString: db.url });
      await alter.connect();
      try {
        const run = await underContention(db.url ?? "", () =>
          alter.query(
            "ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total_cents >= 0) NOT VALID",
          ),
        );
        expect(run.traffic.max).toBeGreaterThan(LOCK_TIMEOUT_MS + MARGIN_MS);
      } finally {
        await alter.end();
      }
    } finally {
      await db.close();
    }
  });
});
