import { expect } from "vitest";
import { addColumn } from "../actions/add-column.js";
import { dropColumn } from "../actions/drop-column.js";
import { restoreColumn } from "../actions/restore-column.js";
import { sql } from "../actions/sql.js";
import { stepContext } from "../backends.contract.js";
import { asAny, column, type LifecycleCase, value } from "./case.js";

/** Lifecycle cases of the column actions and raw SQL. */
export const columnCases: LifecycleCase[] = [
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
