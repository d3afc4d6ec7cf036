import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgliteBackend, stepContext } from "../backends.contract.js";
import type { PgConnection } from "../connection.js";
import { snapshotPostgres } from "../snapshot.js";
import { addCheckConstraint } from "./add-check-constraint.js";
import { addForeignKey } from "./add-foreign-key.js";
import { addUnique } from "./add-unique.js";
import { createIndex } from "./create-index.js";
import { dropConstraint } from "./drop-constraint.js";
import { dropIndex } from "./drop-index.js";
import { dropNotNull } from "./drop-not-null.js";
import { keepDefinition } from "./index-bookkeeping.js";
import { derivedName } from "./index-naming.js";
import { restoreIndex } from "./restore-index.js";
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

const indexState = async (c: PgConnection, name: string) => {
  const { rows } = await c.client.query<{ valid: boolean; def: string }>(
    "SELECT indisvalid AS valid, pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indexrelid = to_regclass($1)",
    [name],
  );
  return rows[0];
};

describe("params of the index and constraint actions", () => {
  const bad = ["users; DROP TABLE x", 'a"b', "", "1abc", "x".repeat(64)];
  const shapes: [
    string,
    { params: { safeParse(v: unknown): { success: boolean } } },
    (n: string) => unknown,
  ][] = [
    ["create_index table", createIndex, (n) => ({ table: n, columns: ["a"] })],
    ["create_index column", createIndex, (n) => ({ table: "t", columns: [n] })],
    ["create_index name", createIndex, (n) => ({ table: "t", columns: ["a"], name: n })],
    ["create_index schema", createIndex, (n) => ({ table: "t", columns: ["a"], schema: n })],
    ["drop_index name", dropIndex, (n) => ({ name: n })],
    ["restore_index name", restoreIndex, (n) => ({ name: n })],
    ["add_unique column", addUnique, (n) => ({ table: "t", columns: [n] })],
    [
      "add_foreign_key referenced table",
      addForeignKey,
      (n) => ({ table: "t", columns: ["a"], references: { table: n, columns: ["id"] } }),
    ],
    [
      "add_foreign_key referenced column",
      addForeignKey,
      (n) => ({ table: "t", columns: ["a"], references: { table: "u", columns: [n] } }),
    ],
    ["add_check_constraint name", addCheckConstraint, (n) => ({ table: "t", name: n, expression: "a > 0" })],
    ["drop_constraint table", dropConstraint, (n) => ({ table: n, name: "c" })],
    ["set_not_null column", setNotNull, (n) => ({ table: "t", column: n })],
    ["drop_not_null table", dropNotNull, (n) => ({ table: n, column: "c" })],
  ];
  it.each(shapes)("%s: rejects names that are not plain identifiers", (_label, action, shape) => {
    for (const name of bad) expect(action.params.safeParse(shape(name)).success, name).toBe(false);
    expect(action.params.safeParse(shape("plain_name")).success).toBe(true);
  });

  it("rejects SQL smuggled into expressions, unknown keys, bad enums and mismatched key lengths", () => {
    expect(
      createIndex.params.safeParse({ table: "t", columns: ["a"], where: "true); DROP TABLE t; --" }).success,
    ).toBe(false);
    // It would close CHECK ( early: unbalanced, refused.
    expect(
      addCheckConstraint.params.safeParse({ table: "t", name: "c", expression: "a > 0) OR (true" }).success,
    ).toBe(false);
    expect(
      addCheckConstraint.params.safeParse({ table: "t", name: "c", expression: "a > 0; DROP TABLE t" })
        .success,
    ).toBe(false);
    expect(createIndex.params.safeParse({ table: "t", columns: [] }).success).toBe(false);
    expect(createIndex.params.safeParse({ table: "t", columns: ["a"], method: "rtree" }).success).toBe(false);
    expect(
      createIndex.params.safeParse({ table: "t", columns: ["a"], unique: true, method: "gin" }).success,
    ).toBe(false);
    expect(createIndex.params.safeParse({ table: "t", columns: ["a"], concurrently: false }).success).toBe(
      false,
    );
    expect(
      addForeignKey.params.safeParse({
        table: "t",
        columns: ["a", "b"],
        references: { table: "u", columns: ["id"] },
      }).success,
    ).toBe(false);
    expect(
      addForeignKey.params.safeParse({
        table: "t",
        columns: ["a"],
        references: { table: "u", columns: ["id"] },
        on_delete: "drop",
      }).success,
    ).toBe(false);
  });
});

describe("derived names", () => {
  it("follow PostgreSQL's pattern, and stay stable and unique within 63 bytes", () => {
    expect(derivedName("orders", ["status", "created_at"], "idx")).toBe("orders_status_created_at_idx");
    const long = derivedName("a".repeat(40), ["b".repeat(30)], "idx");
    const other = derivedName("a".repeat(40), ["b".repeat(29), "c"], "idx");
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long).toBe(derivedName("a".repeat(40), ["b".repeat(30)], "idx"));
    expect(long).not.toBe(other);
    expect(long).toMatch(/^a+_b+_[0-9a-f]{8}_idx$/);
  });
});

describe("postgres.create_index (PGlite)", () => {
  it("drops an INVALID index a failed build left under the name, then builds it", async () => {
    await withDb(async (c) => {
      // A unique build over duplicate statuses fails and leaves an INVALID index behind.
      await expect(
        c.client.exec("CREATE UNIQUE INDEX CONCURRENTLY orders_status_idx ON orders (status)"),
      ).rejects.toThrow();
      expect(await indexState(c, "orders_status_idx")).toMatchObject({ valid: false });
      const params = createIndex.params.parse({ table: "orders", columns: ["status"] });
      expect(await createIndex.verify(c, params)).toBe(false);
      const outcome = await createIndex.apply(c, params, stepContext());
      expect(outcome.notes?.[0]).toMatch(/dropped the INVALID index public\.orders_status_idx/);
      expect(outcome.figures).toMatchObject({ changed: true, indexes_built: 1, ddl_attempts: 2 });
      expect(await indexState(c, "orders_status_idx")).toEqual({
        valid: true,
        def: "CREATE INDEX orders_status_idx ON public.orders USING btree (status)",
      });
    });
  });

  it("is a success when the same index is there (spelt differently), an error when another holds the name", async () => {
    await withDb(async (c) => {
      await c.client.exec("CREATE INDEX users_phone_idx ON users (phone) WHERE (phone IS NOT NULL)");
      const same = createIndex.params.parse({
        table: "users",
        columns: ["phone"],
        where: "phone is not null",
      });
      const outcome = await createIndex.apply(c, same, stepContext());
      expect(outcome.figures).toMatchObject({ changed: false, indexes_built: 0 });
      expect(outcome.notes).toEqual([
        "index public.users_phone_idx is already there with that definition: nothing done",
      ]);
      expect(await createIndex.verify(c, same)).toBe(true);

      const other = createIndex.params.parse({ table: "users", columns: ["phone"] });
      await expect(createIndex.apply(c, other, stepContext())).rejects.toThrow(
        /index public\.users_phone_idx already exists as "CREATE INDEX users_phone_idx ON public\.users USING btree \(phone\) WHERE \(phone IS NOT NULL\)", not .*give the step another name/,
      );
      const taken = createIndex.params.parse({ table: "users", columns: ["email"], name: "orders" });
      await expect(createIndex.apply(c, taken, stepContext())).rejects.toThrow(
        "the name public.orders is taken by a table: give the step another name",
      );
    });
  });

  it("a unique index over duplicates: counts them, shows one, and leaves no INVALID index", async () => {
    await withDb(async (c) => {
      const params = createIndex.params.parse({
        table: "orders",
        columns: ["user_id"],
        unique: true,
        name: "orders_user_id_uidx",
      });
      const error = await createIndex.apply(c, params, stepContext()).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(
        /^cannot add unique index orders_user_id_uidx \(user_id\) to orders: \d+ rows hold a value another row also holds \(for example \(\d+\) held by \d+ rows\); the INVALID index the failed build left was dropped/,
      );
      expect(await indexState(c, "orders_user_id_uidx")).toBeUndefined();
    });
  });

  it("finishes a partitioned index a crash left half-built", async () => {
    await withDb(async (c) => {
      await c.client.exec(`
        CREATE TABLE events (id int NOT NULL, at date NOT NULL, kind text) PARTITION BY RANGE (at);
        CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
          PARTITION BY LIST (kind);
        CREATE TABLE events_2025_a PARTITION OF events_2025 FOR VALUES IN ('a');
        CREATE TABLE events_2025_other PARTITION OF events_2025 DEFAULT;
        INSERT INTO events SELECT g, DATE '2024-06-01' + g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END
          FROM generate_series(1, 400) g;
        -- the crash: the parent index made ON ONLY, one partition built but not attached
        CREATE INDEX events_kind_idx ON ONLY events USING btree (kind);
        CREATE INDEX events_2024_kind_ma_idx ON events_2024 USING btree (kind);`);
      const params = createIndex.params.parse({ table: "events", columns: ["kind"] });
      expect(await createIndex.verify(c, params)).toBe(false);
      const outcome = await createIndex.apply(c, params, stepContext());
      expect(outcome.notes?.join(" ")).toMatch(
        /events is partitioned.*ON ONLY events.*4 partitions and attached/,
      );
      expect(await createIndex.verify(c, params)).toBe(true);
      const { rows } = await c.client.query<{ name: string; parent: string }>(
        `SELECT c.relname AS name, p.relname AS parent FROM pg_inherits h
           JOIN pg_class c ON c.oid = h.inhrelid JOIN pg_class p ON p.oid = h.inhparent
          WHERE c.relkind IN ('i', 'I') ORDER BY 1`,
      );
      expect(rows).toEqual([
        { name: "events_2024_kind_ma_idx", parent: "events_kind_idx" },
        { name: "events_2025_a_kind_ma_idx", parent: "events_2025_kind_ma_idx" },
        { name: "events_2025_kind_ma_idx", parent: "events_kind_idx" },
        { name: "events_2025_other_kind_ma_idx", parent: "events_2025_kind_ma_idx" },
      ]);
      // And the drop / restore round trip gives the same schema back.
      const before = await snapshotPostgres(c, "db");
      await dropIndex.apply(c, { name: "events_kind_idx" }, stepContext());
      await restoreIndex.apply(c, { name: "events_kind_idx" }, stepContext());
      expect((await snapshotPostgres(c, "db")).fingerprint).toBe(before.fingerprint);
    });
  });
});

describe("postgres.drop_index and restore_index (PGlite)", () => {
  it.each([
    [
      "users_email_key",
      /it backs|the unique constraint users_email_key of table public\.users owns it; drop that constraint with postgres\.drop_constraint instead/,
    ],
    ["users_pkey", /the primary key users_pkey of table public\.users owns it.*postgres\.drop_constraint/],
  ])("refuses %s, which a constraint owns, and says what to do", async (name, message) => {
    await withDb(async (c) => {
      await expect(dropIndex.apply(c, { name }, stepContext())).rejects.toThrow(message);
      expect(await indexState(c, name)).toMatchObject({ valid: true });
    });
  });

  it("refuses the index of a partition, and an index a foreign key references through", async () => {
    await withDb(async (c) => {
      await c.client.exec(`
        CREATE TABLE t (id int, k int) PARTITION BY RANGE (id);
        CREATE TABLE t1 PARTITION OF t FOR VALUES FROM (0) TO (10);
        CREATE INDEX t_k_idx ON t (k);
        CREATE UNIQUE INDEX products_sku_title_idx ON products (sku, title);
        CREATE TABLE listings (sku text, title text, FOREIGN KEY (sku, title) REFERENCES products (sku, title));`);
      await expect(dropIndex.apply(c, { name: "t1_k_idx" }, stepContext())).rejects.toThrow(
        "cannot drop index t1_k_idx: it is a partition of index public.t_k_idx; drop the partitioned index instead",
      );
      await expect(dropIndex.apply(c, { name: "products_sku_title_idx" }, stepContext())).rejects.toThrow(
        /the foreign key listings_sku_title_fkey of table public\.listings references through it; drop those foreign keys first/,
      );
    });
  });

  it("re-runs after a crash between keeping the definition and dropping, and after success", async () => {
    await withDb(async (c) => {
      const before = await snapshotPostgres(c, "db");
      // The crash: the definition was kept, the index not dropped yet.
      await c.client.transaction((tx) =>
        keepDefinition(tx, {
          kind: "index",
          schema: "public",
          table: "orders",
          name: "orders_user_id_idx",
          definition: "CREATE INDEX orders_user_id_idx ON public.orders USING btree (user_id)",
          children: [],
          comment: null,
        }),
      );
      expect((await dropIndex.apply(c, { name: "orders_user_id_idx" }, stepContext())).figures).toMatchObject(
        {
          changed: true,
        },
      );
      const again = await dropIndex.apply(c, { name: "orders_user_id_idx" }, stepContext());
      expect(again.notes).toEqual([
        "index orders_user_id_idx is already dropped, its definition kept: nothing done",
      ]);
      await restoreIndex.apply(c, { name: "orders_user_id_idx" }, stepContext());
      const twice = await restoreIndex.apply(c, { name: "orders_user_id_idx" }, stepContext());
      expect(twice.notes).toEqual(["index orders_user_id_idx is already there: nothing done"]);
      expect(await snapshotPostgres(c, "db")).toMatchObject({
        fingerprint: before.fingerprint,
        checksums: before.checksums,
      });
    });
  });

  it("restore_index without a kept definition says so", async () => {
    await withDb(async (c) => {
      await expect(restoreIndex.apply(c, { name: "nope_idx" }, stepContext())).rejects.toThrow(
        "cannot restore index public.nope_idx: no definition of it is kept in public.ma_backup__definitions (was it dropped by postgres.drop_index?)",
      );
    });
  });
});
