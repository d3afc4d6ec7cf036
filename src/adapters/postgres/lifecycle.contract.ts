import { describe, expect, it } from "vitest";
import type { ActionDef, Snapshot } from "../types.js";
import { addColumn } from "./actions/add-column.js";
import { dropColumn } from "./actions/drop-column.js";
import { restoreColumn } from "./actions/restore-column.js";
import { sql } from "./actions/sql.js";
import { postgresActions } from "./adapter.js";
import { type Backend, stepContext } from "./backends.contract.js";
import type { PgConnection } from "./connection.js";
import { snapshotPostgres } from "./snapshot.js";

type AnyAction = ActionDef<Record<string, unknown>, PgConnection>;

/**
 * One lifecycle case (STYLE.md 15): the action and its params; `setup` brings the database to
 * the case's source state; `afterApply` checks the applied state; the rollback is the action's
 * inverse unless the case gives one (postgres.sql has none).
 */
interface LifecycleCase {
  name: string;
  action: AnyAction;
  params: Record<string, unknown>;
  rollback?: { action: string; params: Record<string, unknown> };
  setup?: (c: PgConnection) => Promise<void>;
  afterApply: (c: PgConnection) => Promise<void>;
}

const asAny = (a: unknown) => a as AnyAction;

async function column(c: PgConnection, table: string, name: string) {
  const { rows } = await c.client.query<{ type: string; nullable: string; default: string | null }>(
    `SELECT data_type AS type, is_nullable AS nullable, column_default AS default
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2`,
    [table, name],
  );
  return rows[0];
}

async function value(c: PgConnection, query: string): Promise<unknown> {
  const { rows } = await c.client.query(query);
  return rows[0] ? Object.values(rows[0])[0] : undefined;
}

const CASES: LifecycleCase[] = [
  {
    name: "add_column: a nullable column",
    action: asAny(addColumn),
    params: { table: "users", column: { name: "nickname", type: "text" } },
    afterApply: async (c) => {
      expect(await column(c, "users", "nickname")).toEqual({ type: "text", nullable: "YES", default: null });
    },
  },
  {
    name: "add_column: NOT NULL with a default, schema given",
    action: asAny(addColumn),
    params: {
      schema: "public",
      table: "orders",
      column: { name: "priority", type: "int", nullable: false, default: "0" },
    },
    afterApply: async (c) => {
      expect(await column(c, "orders", "priority")).toMatchObject({ type: "integer", nullable: "NO" });
      expect(String(await value(c, "SELECT count(*) FROM orders WHERE priority = 0"))).toBe("40");
    },
  },
  {
    name: "drop_column: a nullable column with NULLs (users.phone)",
    action: asAny(dropColumn),
    params: { table: "users", column: "phone" },
    afterApply: async (c) => {
      expect(await column(c, "users", "phone")).toBeUndefined();
      expect(String(await value(c, "SELECT count(*) FROM ma_backup_users_phone"))).toBe("30");
    },
  },
  {
    name: "drop_column: NOT NULL, UNIQUE (products.sku)",
    action: asAny(dropColumn),
    params: { table: "products", column: "sku" },
    afterApply: async (c) => {
      expect(await column(c, "products", "sku")).toBeUndefined();
    },
  },
  {
    name: "drop_column: NOT NULL with a CHECK (products.price_cents)",
    action: asAny(dropColumn),
    params: { table: "products", column: "price_cents" },
    afterApply: async (c) => {
      expect(await column(c, "products", "price_cents")).toBeUndefined();
    },
  },
  {
    name: "drop_column: a default, a foreign key and an index (payments.order_id, paid_at)",
    action: asAny(dropColumn),
    params: { table: "payments", column: "order_id" },
    setup: async (c) => {
      await c.client.exec(
        "CREATE INDEX payments_order_paid_idx ON payments (order_id, paid_at DESC); COMMENT ON COLUMN payments.order_id IS 'the order''s id'",
      );
    },
    afterApply: async (c) => {
      expect(await column(c, "payments", "order_id")).toBeUndefined();
      expect(
        await value(c, "SELECT count(*)::int FROM pg_indexes WHERE indexname = 'payments_order_paid_idx'"),
      ).toBe(0);
    },
  },
  {
    name: "restore_column: after a drop (users.full_name, NOT NULL)",
    action: asAny(restoreColumn),
    params: { table: "users", column: "full_name" },
    setup: async (c) => {
      await dropColumn.apply(c, { table: "users", column: "full_name" }, stepContext());
    },
    afterApply: async (c) => {
      expect(await column(c, "users", "full_name")).toMatchObject({ type: "text", nullable: "NO" });
      expect(await value(c, "SELECT full_name FROM users WHERE id = 7")).toBe("User 7");
    },
  },
  {
    name: "sql: an index, undone by another postgres.sql",
    action: asAny(sql),
    params: { sql: "CREATE INDEX IF NOT EXISTS orders_status_idx ON orders (status)" },
    rollback: { action: "postgres.sql", params: { sql: "DROP INDEX IF EXISTS orders_status_idx" } },
    afterApply: async (c) => {
      expect(
        await value(c, "SELECT count(*)::int FROM pg_indexes WHERE indexname = 'orders_status_idx'"),
      ).toBe(1);
    },
  },
  {
    name: "sql: a data change with a verify query",
    action: asAny(sql),
    params: {
      sql: "UPDATE users SET full_name = full_name || ' (checked)' WHERE id = 3 AND full_name NOT LIKE '% (checked)'",
      verify: "SELECT full_name LIKE '% (checked)' FROM users WHERE id = 3",
    },
    rollback: {
      action: "postgres.sql",
      params: { sql: "UPDATE users SET full_name = replace(full_name, ' (checked)', '') WHERE id = 3" },
    },
    afterApply: async (c) => {
      expect(await value(c, "SELECT full_name FROM users WHERE id = 3")).toBe("User 3 (checked)");
    },
  },
];

const shape = (s: Snapshot) => ({ fingerprint: s.fingerprint, checksums: s.checksums });

/**
 * apply → verify → rollback → source state by snapshot → apply again → apply once more (resume).
 * The caller runs `backend.setup()` and `teardown()` around it.
 */
export function lifecycleContract(backend: Backend): void {
  describe("action lifecycle", () => {
    it.each(CASES)("$name", async (c) => {
      const db = await backend.fresh();
      try {
        const conn = db.connection;
        await c.setup?.(conn);
        const params = c.action.params.parse(c.params);
        const source = await snapshotPostgres(conn, "app-db");

        // afterApply
        const logs: string[] = [];
        const outcome = await c.action.apply(conn, params, stepContext(logs));
        expect(await c.action.verify(conn, params)).toBe(true);
        await c.afterApply(conn);
        const applied = await snapshotPostgres(conn, "app-db");
        expect(shape(applied)).not.toEqual(shape(source));
        expect(outcome.figures).toBeDefined();

        // afterRollback: the inverse (or the case's rollback) brings back the source state exactly
        const inverse = c.rollback ?? c.action.inverse(params);
        if ("manual" in inverse) throw new Error(`no automatic rollback: ${inverse.manual}`);
        expect(c.action.hasInverse(params)).toBe(!c.rollback);
        const undo = postgresActions.find((a) => a.name === inverse.action);
        if (!undo) throw new Error(`unknown rollback action ${inverse.action}`);
        const undoParams = undo.params.parse(inverse.params);
        await undo.apply(conn, undoParams, stepContext());
        expect(await undo.verify(conn, undoParams)).toBe(true);
        expect(shape(await snapshotPostgres(conn, "app-db"))).toEqual(shape(source));

        // apply again after the rollback: the same applied state
        await c.action.apply(conn, params, stepContext());
        expect(await c.action.verify(conn, params)).toBe(true);
        expect(shape(await snapshotPostgres(conn, "app-db"))).toEqual(shape(applied));

        // afterResume: applying once more (a resumed run) changes nothing
        await c.action.apply(conn, params, stepContext());
        expect(await c.action.verify(conn, params)).toBe(true);
        expect(shape(await snapshotPostgres(conn, "app-db"))).toEqual(shape(applied));
      } finally {
        await db.close();
      }
    });
  });
}
