import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, pgliteBackend, postgresBackend, stepContext } from "../backends.contract.js";
import type { PgConnection } from "../connection.js";
import { snapshotPostgres } from "../snapshot.js";
import { addCheckConstraint } from "./add-check-constraint.js";
import { addForeignKey } from "./add-foreign-key.js";
import { addUnique } from "./add-unique.js";
import { dropConstraint } from "./drop-constraint.js";
import { dropNotNull } from "./drop-not-null.js";
import { setNotNull } from "./set-not-null.js";

const backend = pgliteBackend();
beforeAll(() => backend.setup());
afterAll(() => backend.teardown());

async function withDb(fn: (c: PgConnection) => Promise<void>) {
  const db = await backend.fresh();
  try {
    await fn(db.connection);
  } finally {
    await db.close();
  }
}

const constraints = async (c: PgConnection, table: string) => {
  const { rows } = await c.client.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE conrelid = $1::regclass AND contype <> 'n' ORDER BY 1`,
    [table],
  );
  return rows;
};

const userIdColumn =
  "ALTER TABLE payments ADD COLUMN user_id bigint; UPDATE payments p SET user_id = o.user_id FROM orders o WHERE o.id = p.order_id;";
const fk = addForeignKey.params.parse({
  table: "payments",
  columns: ["user_id"],
  references: { table: "users", columns: ["id"] },
});

describe("postgres.add_unique (PGlite)", () => {
  it("counts the duplicates, shows one, and leaves neither index nor constraint", async () => {
    await withDb(async (c) => {
      await c.client.exec("UPDATE users SET full_name = 'Same Name' WHERE id IN (4, 5, 6)");
      const before = await snapshotPostgres(c, "db");
      await expect(
        addUnique.apply(c, { table: "users", columns: ["full_name"] }, stepContext()),
      ).rejects.toThrow(
        "cannot add unique constraint users_full_name_key (full_name) to users: 3 rows hold a value another row also holds " +
          '(for example ("Same Name") held by 3 rows); the INVALID index the failed build left was dropped. Fix those rows, then run the step again',
      );
      expect(await snapshotPostgres(c, "db")).toMatchObject({ fingerprint: before.fingerprint });
    });
  });

  it("uses the unique index an interrupted run built, and refuses a different constraint of that name", async () => {
    await withDb(async (c) => {
      await c.client.exec("CREATE UNIQUE INDEX products_title_key ON products (title)");
      const outcome = await addUnique.apply(c, { table: "products", columns: ["title"] }, stepContext());
      expect(outcome.figures).toMatchObject({ changed: true });
      expect(await constraints(c, "products")).toContainEqual({
        name: "products_title_key",
        def: "UNIQUE (title)",
      });
      await expect(
        addUnique.apply(
          c,
          { table: "products", columns: ["title", "sku"], name: "products_title_key" },
          stepContext(),
        ),
      ).rejects.toThrow(/constraint products_title_key of products already exists as "UNIQUE \(title\)"/);
    });
  });

  it("refuses a partitioned table and says what to use", async () => {
    await withDb(async (c) => {
      await c.client.exec("CREATE TABLE t (id int, k int) PARTITION BY RANGE (id)");
      await expect(addUnique.apply(c, { table: "t", columns: ["id"] }, stepContext())).rejects.toThrow(
        /postgres\.add_unique refuses t: it is partitioned.*postgres\.create_index with unique: true/,
      );
    });
  });
});

describe("postgres.add_foreign_key (PGlite)", () => {
  it("counts the orphan rows and drops the NOT VALID constraint again", async () => {
    await withDb(async (c) => {
      await c.client.exec(`${userIdColumn} UPDATE payments SET user_id = 999 WHERE id IN (2, 3)`);
      await expect(addForeignKey.apply(c, fk, stepContext())).rejects.toThrow(
        "cannot add foreign key payments_user_id_fkey (user_id) → users (id) to payments: 2 rows have no matching row in users " +
          "(for example (999)); the NOT VALID constraint was dropped again, so the table is as it was. Fix those rows, then run the step again",
      );
      expect((await constraints(c, "payments")).map((r) => r.name)).not.toContain("payments_user_id_fkey");
    });
  });

  it("validates a NOT VALID constraint a crash left, and refuses one that differs", async () => {
    await withDb(async (c) => {
      await c.client.exec(
        `${userIdColumn} ALTER TABLE payments ADD CONSTRAINT payments_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID`,
      );
      expect(await addForeignKey.verify(c, fk)).toBe(false);
      const outcome = await addForeignKey.apply(c, fk, stepContext());
      expect(outcome.notes).toEqual([
        "foreign key payments_user_id_fkey (user_id) → users (id) was there NOT VALID (left by an interrupted run): validated it",
      ]);
      expect(await addForeignKey.verify(c, fk)).toBe(true);
      const again = await addForeignKey.apply(c, fk, stepContext());
      expect(again.figures).toMatchObject({ changed: false });

      const cascade = addForeignKey.params.parse({ ...fk, on_delete: "cascade" });
      await expect(addForeignKey.apply(c, cascade, stepContext())).rejects.toThrow(
        /constraint payments_user_id_fkey of payments already exists as "FOREIGN KEY \(user_id\) REFERENCES users\(id\)"/,
      );
    });
  });
});

describe("postgres.add_check_constraint (PGlite)", () => {
  it("counts the rows that fail it and leaves the table as it was", async () => {
    await withDb(async (c) => {
      const params = { table: "orders", name: "orders_small_check", expression: "total_cents < 1000" };
      const { rows } = await c.client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM orders WHERE NOT (total_cents < 1000)",
      );
      expect(rows[0]?.n).toBeGreaterThan(0);
      await expect(addCheckConstraint.apply(c, params, stepContext())).rejects.toThrow(
        `cannot add check constraint orders_small_check (total_cents < 1000) to orders: ${rows[0]?.n} rows fail the check; ` +
          "the NOT VALID constraint was dropped again",
      );
      expect(await constraints(c, "orders")).toEqual([
        { name: "orders_pkey", def: "PRIMARY KEY (id)" },
        { name: "orders_user_id_fkey", def: "FOREIGN KEY (user_id) REFERENCES users(id)" },
      ]);
    });
  });

  it("recognises the same check written another way, and refuses a different one of that name", async () => {
    await withDb(async (c) => {
      await c.client.exec("ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total_cents>=0)");
      const same = { table: "orders", name: "orders_total_check", expression: "(TOTAL_CENTS >= 0)" };
      expect((await addCheckConstraint.apply(c, same, stepContext())).figures).toMatchObject({
        changed: false,
      });
      await expect(
        addCheckConstraint.apply(c, { ...same, expression: "total_cents > 0" }, stepContext()),
      ).rejects.toThrow(
        /already exists as "CHECK \(\(total_cents >= 0\)\)", not "CHECK \(total_cents > 0\)"/,
      );
    });
  });
});

describe("postgres.set_not_null (PGlite)", () => {
  const params = { table: "payments", column: "card_last4" };
  const helper = "payments_card_last4_ma_not_null";

  it("counts the NULLs and drops its helper check again", async () => {
    await withDb(async (c) => {
      await expect(setNotNull.apply(c, { table: "users", column: "phone" }, stepContext())).rejects.toThrow(
        "cannot add NOT NULL on phone to users: 10 rows are NULL in phone; the helper check was dropped again",
      );
      expect(await constraints(c, "users")).not.toContainEqual(
        expect.objectContaining({ name: "users_phone_ma_not_null" }),
      );
    });
  });

  it.each([
    [
      "the helper check added NOT VALID",
      `ALTER TABLE payments ADD CONSTRAINT ${helper} CHECK (card_last4 IS NOT NULL) NOT VALID`,
    ],
    [
      "the helper check validated",
      `ALTER TABLE payments ADD CONSTRAINT ${helper} CHECK (card_last4 IS NOT NULL)`,
    ],
    [
      "SET NOT NULL done, the helper check not dropped",
      `ALTER TABLE payments ADD CONSTRAINT ${helper} CHECK (card_last4 IS NOT NULL); ALTER TABLE payments ALTER COLUMN card_last4 SET NOT NULL`,
    ],
  ])("resumes after a crash with %s", async (_label, crashed) => {
    await withDb(async (c) => {
      const clean = await withCleanRun();
      await c.client.exec(crashed);
      expect(await setNotNull.verify(c, params)).toBe(false);
      const outcome = await setNotNull.apply(c, params, stepContext());
      expect(outcome.figures).toMatchObject({ changed: true });
      expect(outcome.notes?.[0]).toMatch(/interrupted run/);
      expect(await setNotNull.verify(c, params)).toBe(true);
      expect((await snapshotPostgres(c, "db")).fingerprint).toBe(clean);
    });
  });

  /** The fingerprint of a run that was never interrupted. */
  async function withCleanRun(): Promise<string> {
    const db = await backend.fresh();
    try {
      const outcome = await setNotNull.apply(db.connection, params, stepContext());
      // Four short transactions: add NOT VALID, validate, SET NOT NULL, drop the helper.
      expect(outcome.figures).toMatchObject({ changed: true, ddl_attempts: 4, lock_timeouts: 0 });
      return (await snapshotPostgres(db.connection, "db")).fingerprint;
    } finally {
      await db.close();
    }
  }
});

describe("postgres.drop_not_null and drop_constraint refusals (PGlite)", () => {
  it("drop_not_null refuses a primary-key column", async () => {
    await withDb(async (c) => {
      await expect(
        dropNotNull.apply(c, { table: "order_items", column: "order_id" }, stepContext()),
      ).rejects.toThrow("postgres.drop_not_null refuses order_items.order_id: it is part of the primary key");
    });
  });

  it("drop_constraint refuses a key foreign keys reference, and has no automatic undo", async () => {
    await withDb(async (c) => {
      await expect(
        dropConstraint.apply(c, { table: "users", name: "users_pkey" }, stepContext()),
      ).rejects.toThrow(
        "postgres.drop_constraint refuses constraint users_pkey of users: foreign keys reference through it (orders_user_id_fkey of table public.orders): drop those first",
      );
      const params = dropConstraint.params.parse({ table: "orders", name: "orders_user_id_fkey" });
      expect(dropConstraint.hasInverse(params)).toBe(false);
      expect(dropConstraint.inverse(params)).toEqual({
        manual: expect.stringMatching(
          /kept in public\.ma_backup__definitions.*postgres\.add_check_constraint, add_foreign_key or add_unique/,
        ),
      });
      const outcome = await dropConstraint.apply(c, params, stepContext());
      expect(outcome.notes).toEqual([
        "dropped orders_user_id_fkey: FOREIGN KEY (user_id) REFERENCES users(id) (kept in public.ma_backup__definitions)",
      ]);
      expect((await dropConstraint.apply(c, params, stepContext())).figures).toMatchObject({
        changed: false,
      });
    });
  });
});

/**
 * A foreign key on a partitioned table: NOT VALID then VALIDATE where the server can (PGlite is
 * PostgreSQL 18), added valid in one statement with a note where it cannot (PostgreSQL < 18).
 */
function partitionedForeignKey(name: string, make: () => Backend) {
  describe(`postgres.add_foreign_key on a partitioned table (${name})`, () => {
    const b = make();
    beforeAll(() => b.setup());
    afterAll(() => b.teardown());
    it("adds it, saying how, and drop_constraint takes it away again", async () => {
      const db = await b.fresh();
      try {
        const c = db.connection;
        await c.client.exec(`
          CREATE TABLE visits (id int NOT NULL, at date NOT NULL, user_id bigint) PARTITION BY RANGE (at);
          CREATE TABLE visits_2024 PARTITION OF visits FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
          INSERT INTO visits SELECT g, DATE '2024-01-01' + g, 1 + g % 30 FROM generate_series(1, 50) g;`);
        const before = await snapshotPostgres(c, "db");
        const params = addForeignKey.params.parse({
          table: "visits",
          columns: ["user_id"],
          references: { table: "users", columns: ["id"] },
        });
        const outcome = await addForeignKey.apply(c, params, stepContext());
        const { rows } = await c.client.query<{ v: string }>(
          "SELECT current_setting('server_version_num') AS v",
        );
        if (Number(rows[0]?.v) >= 180_000) expect(outcome.notes).toEqual([]);
        else
          expect(outcome.notes?.[0]).toMatch(
            /visits is partitioned and this PostgreSQL cannot add a NOT VALID foreign key/,
          );
        expect(await addForeignKey.verify(c, params)).toBe(true);
        expect((await addForeignKey.apply(c, params, stepContext())).figures).toMatchObject({
          changed: false,
        });
        await dropConstraint.apply(c, { table: "visits", name: "visits_user_id_fkey" }, stepContext());
        expect(await snapshotPostgres(c, "db")).toMatchObject({ fingerprint: before.fingerprint });
      } finally {
        await db.close();
      }
    });
  });
}

partitionedForeignKey("PGlite", pgliteBackend);
const url = process.env.TEST_DATABASE_URL;
if (url) partitionedForeignKey("PostgreSQL", () => postgresBackend(url));
