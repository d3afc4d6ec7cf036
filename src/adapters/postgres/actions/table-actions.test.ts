import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Backend,
  type Fresh,
  pgliteBackend,
  postgresBackend,
  stepContext,
} from "../backends.contract.js";
import type { PgConnection } from "../connection.js";
import { snapshotPostgres } from "../snapshot.js";
import { createTable } from "./create-table.js";
import { dropTable } from "./drop-table.js";
import { restoreTable } from "./restore-table.js";
import { archivedObjectName, archiveTableName } from "./table-archive.js";

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
const backends: Backend[] = [
  pgliteBackend(),
  ...(process.env.TEST_DATABASE_URL ? [postgresBackend(process.env.TEST_DATABASE_URL)] : []),
];
let backend: Backend;

async function withDb(fn: (c: PgConnection) => Promise<void>): Promise<void> {
  const db: Fresh = await backend.fresh();
  try {
    await fn(db.connection);
  } finally {
    await db.close();
  }
}

const shape = async (c: PgConnection) => {
  const s = await snapshotPostgres(c, "db");
  return { fingerprint: s.fingerprint, checksums: s.checksums };
};
const first = async (c: PgConnection, sql: string) =>
  Object.values((await c.client.query(sql)).rows[0] ?? {})[0];

const COUPONS = {
  table: "coupons",
  columns: [
    { name: "id", type: "bigserial" },
    { name: "code", type: "text", nullable: false },
    { name: "note", type: "text" },
  ],
  primary_key: ["id"],
};

describe.each(backends)("on $name", (b) => {
  beforeAll(async () => {
    backend = b;
    await b.setup();
  });
  afterAll(() => b.teardown());

  describe("table action params", () => {
    it.each(["users; DROP TABLE x", 'a"b', "ma_backup_users", ""])("refuse the table name %j", (table) => {
      expect(dropTable.params.safeParse({ table }).success).toBe(false);
      expect(restoreTable.params.safeParse({ table }).success).toBe(false);
      expect(createTable.params.safeParse({ ...COUPONS, table }).success).toBe(false);
    });

    it("refuse a column name, type or default that is not plain", () => {
      const withColumn = (column: Record<string, unknown>) =>
        createTable.params.safeParse({ ...COUPONS, columns: [...COUPONS.columns, column] }).success;
      expect(withColumn({ name: "x; DROP TABLE users", type: "text" })).toBe(false);
      expect(withColumn({ name: "x", type: "text NOT NULL" })).toBe(false);
      expect(withColumn({ name: "x", type: "text", default: "1); DROP TABLE users; --" })).toBe(false);
      expect(withColumn({ name: "x", type: "text", default: "'ok'" })).toBe(true);
    });

    it("refuse a key column that is not a column, and a column given twice", () => {
      expect(createTable.params.safeParse({ ...COUPONS, primary_key: ["nope"] }).success).toBe(false);
      expect(
        createTable.params.safeParse({
          ...COUPONS,
          columns: [...COUPONS.columns, { name: "id", type: "int" }],
        }).success,
      ).toBe(false);
      expect(createTable.params.safeParse({ ...COUPONS, primary_key: [] }).success).toBe(false);
    });

    it("keep archive names within 63 bytes", () => {
      const long = "t".repeat(63);
      expect(Buffer.byteLength(archiveTableName(long))).toBeLessThanOrEqual(63);
      expect(archiveTableName(long)).toMatch(/^ma_backup_table_[0-9a-f]{32}$/);
      expect(Buffer.byteLength(archivedObjectName(`${"é".repeat(40)}_pkey`))).toBeLessThanOrEqual(63);
    });
  });

  describe("postgres.create_table", () => {
    it("accepts the same table again, and names what differs in another", async () => {
      await withDb(async (c) => {
        const p = createTable.params.parse(COUPONS);
        await createTable.apply(c, p, stepContext());
        const again = await createTable.apply(c, p, stepContext());
        expect(again.figures?.changed).toBe(false);
        const other = createTable.params.parse({
          ...COUPONS,
          columns: [
            { name: "id", type: "bigserial" },
            { name: "code", type: "varchar(10)" },
          ],
        });
        await expect(createTable.apply(c, other, stepContext())).rejects.toThrow(
          /coupons already exists with a different definition \(column code is text, not varchar\(10\); column code is NOT NULL; it has another column note\)/,
        );
        expect(await createTable.verify(c, other)).toBe(false);
      });
    });

    it("refuses a name a view holds", async () => {
      await withDb(async (c) => {
        const p = createTable.params.parse({ ...COUPONS, table: "order_summaries" });
        await expect(createTable.apply(c, p, stepContext())).rejects.toThrow(/is a view, sequence or index/);
      });
    });

    it("creates it again after its rollback, the first one kept aside at the next drop", async () => {
      await withDb(async (c) => {
        const p = createTable.params.parse(COUPONS);
        await createTable.apply(c, p, stepContext());
        await c.client.query("INSERT INTO coupons (code) VALUES ('FIRST')");
        await dropTable.apply(c, { table: "coupons" }, stepContext());
        const created = await createTable.apply(c, p, stepContext());
        expect(created.notes?.[0]).toMatch(
          /an archive ma_backup_table_coupons of an earlier coupons is kept/,
        );
        await c.client.query("INSERT INTO coupons (code) VALUES ('SECOND')");
        const dropped = await dropTable.apply(c, { table: "coupons" }, stepContext());
        expect(dropped.notes?.join(" ")).toMatch(
          /an older archive ma_backup_table_coupons .* was kept as ma_backup_table_coupons_/,
        );
        expect(await first(c, "SELECT code FROM ma_backup_table_coupons")).toBe("SECOND");
        const aside = await first(
          c,
          "SELECT relname FROM pg_class WHERE relname LIKE 'ma\\_backup\\_table\\_coupons\\_%' AND relkind = 'r'",
        );
        expect(await first(c, `SELECT code FROM "${String(aside)}"`)).toBe("FIRST");
      });
    });
  });

  describe("postgres.drop_table and restore_table", () => {
    it("refuses a table a view reads, naming the view", async () => {
      await withDb(async (c) => {
        await expect(dropTable.apply(c, { table: "users" }, stepContext())).rejects.toThrow(
          /cannot drop table users .*still used by .*view order_summaries/,
        );
        expect(await first(c, "SELECT count(*)::int FROM users")).toBe(30);
      });
    });

    it("refuses a table another table's foreign key references, naming the key", async () => {
      await withDb(async (c) => {
        await expect(dropTable.apply(c, { table: "products" }, stepContext())).rejects.toThrow(
          /still used by foreign key order_items_product_id_fkey of table order_items; drop or change those first/,
        );
      });
    });

    it("refuses a partitioned table and a partition", async () => {
      await withDb(async (c) => {
        await c.client.exec(`
          CREATE TABLE events (id bigint, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
          CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`);
        await expect(dropTable.apply(c, { table: "events" }, stepContext())).rejects.toThrow(
          /it is partitioned/,
        );
        await expect(dropTable.apply(c, { table: "events_2024" }, stepContext())).rejects.toThrow(
          /it is a partition of events: detach it first/,
        );
      });
    });

    it("refuses a table whose sequence another table's default uses", async () => {
      await withDb(async (c) => {
        await c.client.exec("CREATE TABLE notes (id bigint PRIMARY KEY DEFAULT nextval('payments_id_seq'))");
        await expect(dropTable.apply(c, { table: "payments" }, stepContext())).rejects.toThrow(
          /through its sequence payments_id_seq/,
        );
      });
    });

    it("refuses a table whose row type a function uses", async () => {
      await withDb(async (c) => {
        await c.client.exec("CREATE FUNCTION paid(p payments) RETURNS boolean LANGUAGE sql AS 'SELECT true'");
        await expect(dropTable.apply(c, { table: "payments" }, stepContext())).rejects.toThrow(
          /still used by function paid\(payments\)/,
        );
      });
    });

    it("is a no-op when re-run, verifies, and restores comment, names and rows exactly", async () => {
      await withDb(async (c) => {
        await c.client.exec("COMMENT ON TABLE payments IS 'card payments'");
        const before = await shape(c);
        const dropped = await dropTable.apply(c, { table: "payments" }, stepContext());
        expect(dropped.figures).toMatchObject({
          changed: true,
          archive_table: "public.ma_backup_table_payments",
        });
        expect(dropped.notes?.join(" ")).toMatch(
          /its foreign keys \(payments_order_id_fkey\) still hold on the archive/,
        );
        expect(await dropTable.verify(c, { table: "payments" })).toBe(true);
        const again = await dropTable.apply(c, { table: "payments" }, stepContext());
        expect(again.figures?.changed).toBe(false);
        expect(again.notes).toEqual([
          "payments is already archived as ma_backup_table_payments: nothing done",
        ]);
        // The names are free: a new payments table can take them all.
        await c.client.exec("CREATE TABLE payments (id bigserial PRIMARY KEY)");
        await expect(restoreTable.apply(c, { table: "payments" }, stepContext())).rejects.toThrow(
          /a table payments exists again .*rename or drop it by hand/,
        );
        await c.client.exec("DROP TABLE payments");
        await restoreTable.apply(c, { table: "payments" }, stepContext());
        expect(await restoreTable.verify(c, { table: "payments" })).toBe(true);
        expect(await shape(c)).toEqual(before);
        expect(await first(c, "SELECT obj_description('payments'::regclass, 'pg_class')")).toBe(
          "card payments",
        );
        const rerun = await restoreTable.apply(c, { table: "payments" }, stepContext());
        expect(rerun.figures?.changed).toBe(false);
      });
    });

    it("restore_table says what is missing when there is no archive", async () => {
      await withDb(async (c) => {
        await c.client.exec("DROP TABLE payments");
        await expect(restoreTable.apply(c, { table: "payments" }, stepContext())).rejects.toThrow(
          /cannot restore table payments: it does not exist and there is no archive ma_backup_table_payments/,
        );
        await expect(dropTable.apply(c, { table: "payments" }, stepContext())).rejects.toThrow(
          /table public.payments does not exist/,
        );
      });
    });

    it("restore_table refuses when a name it would take back is taken", async () => {
      await withDb(async (c) => {
        await dropTable.apply(c, { table: "payments" }, stepContext());
        await c.client.exec("CREATE SEQUENCE payments_id_seq");
        await expect(restoreTable.apply(c, { table: "payments" }, stepContext())).rejects.toThrow(
          /sequence name payments_id_seq is taken again/,
        );
        expect(await dropTable.verify(c, { table: "payments" })).toBe(true);
      });
    });
  });
});
