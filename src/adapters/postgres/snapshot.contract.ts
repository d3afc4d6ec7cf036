import { describe, expect, it } from "vitest";
import type { Snapshot } from "../types.js";
import type { Backend } from "./backends.contract.js";
import type { Queryable, SqlClient } from "./client.js";
import type { PgConnection } from "./connection.js";
import { discoverPostgres } from "./discover.js";
import { quoteIdent } from "./identifiers.js";
import { snapshotPostgres } from "./snapshot.js";

const shape = (s: Snapshot) => ({ fingerprint: s.fingerprint, checksums: s.checksums });

/** Snapshots see every change that matters, and nothing else; discovery reads the fixture. */
export function snapshotContract(backend: Backend): void {
  describe("snapshot", () => {
    async function withDb(fn: (c: PgConnection) => Promise<void>) {
      const db = await backend.fresh();
      try {
        await fn(db.connection);
      } finally {
        await db.close();
      }
    }

    it("is stable: two snapshots of the same state are equal", () =>
      withDb(async (c) => {
        const a = await snapshotPostgres(c, "app-db");
        const b = await snapshotPostgres(c, "app-db");
        expect(shape(b)).toEqual(shape(a));
        expect(a.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(Object.keys(a.checksums)).toEqual([
          "public.order_items",
          "public.orders",
          "public.payments",
          "public.products",
          "public.users",
        ]);
        expect(a.checksums["public.users"]).toMatch(/^30:[0-9a-f]{32}$/);
      }));

    it.each([
      ["an update", "UPDATE users SET full_name = 'X' WHERE id = 5", "public.users"],
      [
        "an insert",
        "INSERT INTO products (sku, title, price_cents) VALUES ('N-1', 'New', 1)",
        "public.products",
      ],
      ["a delete", "DELETE FROM payments WHERE id = 30", "public.payments"],
      ["a NULL where there was a value", "UPDATE users SET phone = NULL WHERE id = 1", "public.users"],
    ])("a row change (%s) changes that table's checksum only", (_what, statement, table) =>
      withDb(async (c) => {
        const before = await snapshotPostgres(c, "app-db");
        await c.client.exec(statement);
        const after = await snapshotPostgres(c, "app-db");
        expect(after.fingerprint).toBe(before.fingerprint);
        const changed = Object.keys(before.checksums).filter(
          (t) => before.checksums[t] !== after.checksums[t],
        );
        expect(changed).toEqual([table]);
      }),
    );

    it.each([
      ["an index", "CREATE INDEX users_phone_idx ON users (phone)"],
      ["a dropped CHECK", "ALTER TABLE products DROP CONSTRAINT products_price_cents_check"],
      ["a default", "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new'"],
      ["nullability", "ALTER TABLE users ALTER COLUMN full_name DROP NOT NULL"],
      ["a type", "ALTER TABLE users ALTER COLUMN full_name TYPE varchar(200)"],
      [
        "a view",
        "CREATE OR REPLACE VIEW order_summaries AS SELECT o.id, u.email, o.status, o.total_cents, 1 AS x FROM orders o JOIN users u ON u.id = o.user_id",
      ],
      ["an empty table", "CREATE TABLE audit (id int)"],
      ["a schema", "CREATE SCHEMA archive"],
      ["a function", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'"],
      ["an enum", "CREATE TYPE mood AS ENUM ('calm', 'busy')"],
      ["a domain", "CREATE DOMAIN cents AS integer CHECK (VALUE >= 0)"],
    ])("DDL (%s) changes the fingerprint", (_what, statement) =>
      withDb(async (c) => {
        const before = await snapshotPostgres(c, "app-db");
        await c.client.exec(statement);
        expect((await snapshotPostgres(c, "app-db")).fingerprint).not.toBe(before.fingerprint);
      }),
    );

    it.each([
      ["an enum label added", "ALTER TYPE mood ADD VALUE 'idle'"],
      ["a domain's check", "ALTER DOMAIN cents ADD CONSTRAINT cents_small CHECK (VALUE < 1000000)"],
      ["a domain's default", "ALTER DOMAIN cents SET DEFAULT 0"],
    ])("a change of a type (%s) changes the fingerprint", (_what, statement) =>
      withDb(async (c) => {
        await c.client.exec(
          "CREATE TYPE mood AS ENUM ('calm', 'busy'); CREATE DOMAIN cents AS integer CHECK (VALUE >= 0)",
        );
        const before = await snapshotPostgres(c, "app-db");
        await c.client.exec(statement);
        expect((await snapshotPostgres(c, "app-db")).fingerprint).not.toBe(before.fingerprint);
      }),
    );

    it("leaves out the adapter's backup tables, and the tables in options.snapshot_exclude", () =>
      withDb(async (c) => {
        const before = await snapshotPostgres(c, "app-db");
        await c.client.exec("CREATE TABLE ma_backup_users_x AS SELECT id FROM users");
        expect(shape(await snapshotPostgres(c, "app-db"))).toEqual(shape(before));
        const excluding = { ...c, snapshotExclude: ["payments"] };
        await c.client.exec("DELETE FROM payments WHERE id = 1");
        const after = await snapshotPostgres(excluding, "app-db");
        expect(after.checksums["public.payments"]).toBeUndefined();
        expect(after.checksums["public.users"]).toBe(before.checksums["public.users"]);
      }));

    it("does not depend on the session's TimeZone or DateStyle", () =>
      withDb(async (c) => {
        const before = await snapshotPostgres(c, "app-db");
        await c.client.pinned(async (session) => {
          await session.exec("SET TimeZone = 'Asia/Tokyo'; SET DateStyle = 'German'");
          try {
            const after = await snapshotPostgres({ ...c, client: onOneSession(c.client, session) }, "app-db");
            expect(shape(after)).toEqual(shape(before));
          } finally {
            await session.exec("RESET TimeZone; RESET DateStyle");
          }
        });
      }));

    it("reads tables with any name safely (names are quoted, never spliced)", () =>
      withDb(async (c) => {
        for (const name of ["users; DROP TABLE x", 'a"b', "Mixed Case"]) {
          await c.client.exec(
            `CREATE TABLE ${quoteIdent(name)} (id int PRIMARY KEY, ${quoteIdent(`${name}!`)} text)`,
          );
          await c.client.query(`INSERT INTO ${quoteIdent(name)} VALUES (1, 'x')`);
        }
        const snapshot = await snapshotPostgres(c, "app-db");
        expect(snapshot.checksums["public.users; DROP TABLE x"]).toMatch(/^1:/);
        expect(snapshot.checksums['public.a"b']).toMatch(/^1:/);
        expect(snapshot.checksums["public.users"]).toMatch(/^30:/);
      }));
  });

  describe("discover", () => {
    it("reads the fixture: tables, columns, primary keys, indexes, views, version", async () => {
      const db = await backend.fresh();
      try {
        const found = await discoverPostgres(db.connection);
        expect(found.server_version_num).toBeGreaterThanOrEqual(150000);
        expect(found.tables.map((t) => t.name)).toEqual([
          "order_items",
          "orders",
          "payments",
          "products",
          "users",
        ]);
        const users = found.tables.find((t) => t.name === "users");
        expect(users?.row_estimate).toBe(30);
        expect(users?.size_bytes).toBeGreaterThan(0);
        expect(users?.primary_key).toEqual(["id"]);
        expect(users?.columns.map((col) => col.name)).toEqual([
          "id",
          "email",
          "full_name",
          "phone",
          "created_at",
        ]);
        expect(users?.columns[1]).toEqual({
          name: "email",
          type: "text",
          nullable: false,
          default: null,
          generated: null,
          identity: null,
          comment: null,
        });
        expect(users?.columns[4]).toMatchObject({ type: "timestamp with time zone", default: "now()" });
        expect(users?.indexes.map((i) => [i.name, i.unique, i.primary])).toEqual([
          ["users_email_key", true, false],
          ["users_pkey", true, true],
        ]);
        expect(found.tables.find((t) => t.name === "order_items")?.primary_key).toEqual([
          "order_id",
          "product_id",
        ]);
        expect(found.views).toEqual([
          expect.objectContaining({ schema: "public", name: "order_summaries", materialized: false }),
        ]);
      } finally {
        await db.close();
      }
    });
  });
}

/** A client that runs everything, transactions included, on one session. */
function onOneSession(client: SqlClient, session: Queryable): SqlClient {
  return {
    driver: client.driver,
    query: session.query,
    exec: session.exec,
    async transaction(fn) {
      await session.exec("BEGIN");
      try {
        const result = await fn(session);
        await session.exec("COMMIT");
        return result;
      } catch (error) {
        await session.exec("ROLLBACK");
        throw error;
      }
    },
    pinned: (fn) => fn(session),
    close: async () => undefined,
  };
}
