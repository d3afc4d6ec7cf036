import { expect } from "vitest";
import { alterColumnType } from "../actions/alter-column-type.js";
import { backfill } from "../actions/backfill.js";
import { renameColumn } from "../actions/rename-column.js";
import { stepContext } from "../backends.contract.js";
import type { PgConnection } from "../connection.js";
import { asAny, column, expectValue, type LifecycleCase, value } from "./case.js";

const expand = (params: Record<string, unknown>) => async (c: PgConnection) => {
  const parsed = renameColumn.params.parse({ ...params, stage: "expand" });
  await renameColumn.apply(c, parsed, stepContext());
};

const expandType = (params: Record<string, unknown>) => async (c: PgConnection) => {
  const parsed = alterColumnType.params.parse({ ...params, stage: "expand" });
  await alterColumnType.apply(c, parsed, stepContext());
};

/** alter_column_type's expand with `backfill: false`, then the postgres.backfill step that fills its shadow. */
const TOTAL = { table: "orders", column: "total_cents", type: "bigint" };
const FILL_TOTAL = {
  table: "orders",
  set: { total_cents_ma_new: "total_cents::bigint" },
  where: "total_cents_ma_new IS DISTINCT FROM total_cents::bigint",
  batch_size: 10,
};
const expandTotalDeferred = expandType({ ...TOTAL, backfill: false });
const fillTotal = async (c: PgConnection) => {
  await backfill.apply(c, backfill.params.parse(FILL_TOTAL), stepContext());
};
const checkOf = (table: string, column: string) =>
  `SELECT count(*) FROM pg_constraint WHERE conname = '${table}_${column}_ma_not_null'`;

/** Lifecycle cases of rename_column, alter_column_type and backfill, on the app fixture and pagila. */
export const expandContractCases: LifecycleCase[] = [
  {
    name: "rename_column expand: users.full_name → name (NOT NULL), both written",
    action: asAny(renameColumn),
    params: { table: "users", from: "full_name", to: "name", stage: "expand", batch_size: 10 },
    afterApply: async (c) => {
      expect(await column(c, "users", "name")).toMatchObject({ type: "text" });
      await expectValue(c, "SELECT count(*) FROM users WHERE name IS DISTINCT FROM full_name", "0");
      // Old code writes the old name, new code the new one: both see the same value.
      await c.client.query("UPDATE users SET full_name = 'Old Writer' WHERE id = 1");
      await c.client.query("UPDATE users SET name = 'New Writer' WHERE id = 2");
      await c.client.query("INSERT INTO users (email, name) VALUES ('new@example.com', 'Inserted New')");
      await c.client.query("INSERT INTO users (email, full_name) VALUES ('old@example.com', 'Inserted Old')");
      await expectValue(c, "SELECT name FROM users WHERE id = 1", "Old Writer");
      await expectValue(c, "SELECT full_name FROM users WHERE id = 2", "New Writer");
      await expectValue(c, "SELECT full_name FROM users WHERE email = 'new@example.com'", "Inserted New");
      await expectValue(c, "SELECT name FROM users WHERE email = 'old@example.com'", "Inserted Old");
      await expect(c.client.query("UPDATE users SET name = NULL WHERE id = 3")).rejects.toThrow();
      await c.client.query("DELETE FROM users WHERE email IN ('new@example.com', 'old@example.com')");
      await c.client.query("UPDATE users SET full_name = 'User ' || id WHERE id IN (1, 2)");
    },
  },
  {
    name: "rename_column contract: users.full_name → name, after the expand",
    action: asAny(renameColumn),
    params: { table: "users", from: "full_name", to: "name", stage: "contract" },
    setup: expand({ table: "users", from: "full_name", to: "name" }),
    afterApply: async (c) => {
      expect(await column(c, "users", "full_name")).toBeUndefined();
      expect(await column(c, "users", "name")).toMatchObject({ type: "text", nullable: "NO" });
      await expectValue(c, "SELECT name FROM users WHERE id = 7", "User 7");
    },
  },
  {
    name: "rename_column expand (pagila): actor.first_name → given_name, read by views",
    fixture: "pagila",
    action: asAny(renameColumn),
    params: { table: "actor", from: "first_name", to: "given_name", stage: "expand" },
    afterApply: async (c) => {
      await expectValue(
        c,
        "SELECT count(*) FROM actor_info WHERE given_name IS DISTINCT FROM first_name",
        "0",
      );
      await expectValue(c, "SELECT count(*) FROM actor WHERE given_name IS DISTINCT FROM first_name", "0");
    },
  },
  {
    name: "rename_column contract (pagila): customer.first_name → given_name, read by customer_list",
    fixture: "pagila",
    action: asAny(renameColumn),
    params: { table: "customer", from: "first_name", to: "given_name", stage: "contract" },
    setup: expand({ table: "customer", from: "first_name", to: "given_name", batch_size: 5000 }),
    afterApply: async (c) => {
      expect(await column(c, "customer", "first_name")).toBeUndefined();
      expect(await value(c, "SELECT count(*)::int FROM customer_list")).toBe(20000);
    },
  },
  {
    name: "backfill: a new column of orders, in batches",
    action: asAny(backfill),
    params: { table: "orders", set: { total_label: "status || ':' || total_cents" }, batch_size: 10 },
    setup: async (c) => {
      await c.client.exec("ALTER TABLE orders ADD COLUMN total_label text");
    },
    afterApply: async (c) => {
      await expectValue(c, "SELECT count(*) FROM orders WHERE total_label IS NULL", "0");
      await expectValue(
        c,
        "SELECT count(*) FROM orders WHERE total_label <> status || ':' || total_cents",
        "0",
      );
    },
  },
  {
    name: "backfill: an existing column, with a where (payments.card_last4)",
    action: asAny(backfill),
    params: { table: "payments", set: { card_last4: "'0000'" }, where: "id % 2 = 0", batch_size: 10 },
    afterApply: async (c) => {
      await expectValue(c, "SELECT count(*) FROM payments WHERE card_last4 = '0000'", "15");
    },
  },
  {
    name: "backfill (pagila): payment, partitioned by payment_date, keyed (payment_date, payment_id)",
    fixture: "pagila",
    action: asAny(backfill),
    params: { table: "payment", set: { amount_cents: "(amount * 100)::int" }, batch_size: 2000 },
    setup: async (c) => {
      await c.client.exec("ALTER TABLE payment ADD COLUMN amount_cents integer");
    },
    afterApply: async (c) => {
      await expectValue(c, "SELECT count(*) FROM payment WHERE amount_cents IS NULL", "0");
      await expectValue(c, "SELECT count(*) FROM payment WHERE amount_cents <> (amount * 100)::int", "0");
    },
  },
  {
    name: "alter_column_type expand: order_items.quantity integer → bigint (NOT NULL, CHECK)",
    action: asAny(alterColumnType),
    params: { table: "order_items", column: "quantity", type: "bigint", stage: "expand", batch_size: 10 },
    afterApply: async (c) => {
      expect(await column(c, "order_items", "quantity_ma_new")).toMatchObject({ type: "bigint" });
      const before = await c.client.query<{ o: string; p: string; q: number }>(
        "SELECT order_id::text AS o, product_id::text AS p, quantity AS q FROM order_items WHERE order_id IN (1, 2)",
      );
      await expectValue(
        c,
        "SELECT count(*) FROM order_items WHERE quantity_ma_new IS DISTINCT FROM quantity",
        "0",
      );
      await c.client.query("UPDATE order_items SET quantity = 9 WHERE order_id = 1");
      await expectValue(c, "SELECT min(quantity_ma_new) FROM order_items WHERE order_id = 1", "9");
      await c.client.query("UPDATE order_items SET quantity_ma_new = 7 WHERE order_id = 2");
      await expectValue(c, "SELECT min(quantity) FROM order_items WHERE order_id = 2", "7");
      for (const r of before.rows) {
        await c.client.query("UPDATE order_items SET quantity = $1 WHERE order_id = $2 AND product_id = $3", [
          r.q,
          r.o,
          r.p,
        ]);
      }
      await expectValue(
        c,
        "SELECT count(*) FROM order_items WHERE quantity_ma_new IS DISTINCT FROM quantity",
        "0",
      );
    },
  },
  {
    name: "alter_column_type contract: order_items.quantity → bigint, with a view and an index",
    action: asAny(alterColumnType),
    params: { table: "order_items", column: "quantity", type: "bigint", stage: "contract" },
    setup: async (c) => {
      await c.client.exec(`CREATE INDEX order_items_quantity_idx ON order_items (quantity);
        CREATE VIEW big_items AS SELECT order_id, product_id, quantity FROM order_items WHERE quantity > 1;
        COMMENT ON COLUMN order_items.quantity IS 'how many'`);
      await expandType({ table: "order_items", column: "quantity", type: "bigint" })(c);
    },
    afterApply: async (c) => {
      expect(await column(c, "order_items", "quantity")).toMatchObject({ type: "bigint", nullable: "NO" });
      expect(await column(c, "big_items", "quantity")).toMatchObject({ type: "bigint" });
      expect(await column(c, "order_items", "quantity_ma_new")).toBeUndefined();
      await expect(
        c.client.query("UPDATE order_items SET quantity = 0 WHERE order_id = 1"),
      ).rejects.toThrow();
      expect(
        await value(c, "SELECT count(*)::int FROM pg_indexes WHERE indexname = 'order_items_quantity_idx'"),
      ).toBe(1);
    },
  },
  {
    name: "alter_column_type expand, backfill: false: orders.total_cents → bigint, shadow and trigger only",
    action: asAny(alterColumnType),
    params: { ...TOTAL, stage: "expand", backfill: false },
    afterApply: async (c) => {
      expect(await column(c, "orders", "total_cents_ma_new")).toMatchObject({ type: "bigint" });
      // Nothing copied, and no NOT NULL check yet: the backfill step's undo puts NULLs back.
      await expectValue(c, "SELECT count(*) FROM orders WHERE total_cents_ma_new IS NOT NULL", "0");
      await expectValue(c, checkOf("orders", "total_cents_ma_new"), "0");
      // The trigger syncs writes already; a NULL put into the shadow never reaches the old column.
      const before = await value(c, "SELECT total_cents FROM orders WHERE id = 3");
      await c.client.query("UPDATE orders SET total_cents = 2147483647 WHERE id = 3");
      await expectValue(c, "SELECT total_cents_ma_new FROM orders WHERE id = 3", "2147483647");
      await c.client.query("UPDATE orders SET total_cents = $1 WHERE id = 3", [before]);
      await c.client.query("UPDATE orders SET total_cents_ma_new = NULL WHERE id = 3");
      await expectValue(c, "SELECT total_cents FROM orders WHERE id = 3", String(before));
      await expectValue(c, "SELECT count(*) FROM orders WHERE total_cents_ma_new IS NOT NULL", "0");
    },
  },
  {
    name: "backfill of an alter_column_type shadow: orders.total_cents_ma_new, with the sync trigger",
    action: asAny(backfill),
    params: FILL_TOTAL,
    setup: expandTotalDeferred,
    afterApply: async (c) => {
      await expectValue(
        c,
        "SELECT count(*) FROM orders WHERE total_cents_ma_new IS DISTINCT FROM total_cents::bigint",
        "0",
      );
      // The undo (revert_backfill) puts the NULLs back; the trigger leaves total_cents alone then.
    },
  },
  {
    name: "alter_column_type contract after a backfill step: orders.total_cents → bigint, read by a view",
    action: asAny(alterColumnType),
    params: { ...TOTAL, stage: "contract" },
    setup: async (c) => {
      await expandTotalDeferred(c);
      await fillTotal(c);
    },
    afterApply: async (c) => {
      expect(await column(c, "orders", "total_cents")).toMatchObject({ type: "bigint", nullable: "NO" });
      expect(await column(c, "order_summaries", "total_cents")).toMatchObject({ type: "bigint" });
      expect(await column(c, "orders", "total_cents_ma_new")).toBeUndefined();
      await expectValue(c, checkOf("orders", "total_cents_ma_new"), "0");
      await expectValue(
        c,
        "SELECT count(*) FROM orders o WHERE total_cents IS DISTINCT FROM (SELECT sum(quantity * price_cents) FROM order_items WHERE order_id = o.id)",
        "0",
      );
    },
  },
  {
    name: "alter_column_type expand (pagila): film.rental_rate numeric(4,2) → numeric(6,2), USING",
    fixture: "pagila",
    action: asAny(alterColumnType),
    params: {
      table: "film",
      column: "rental_rate",
      type: "numeric(6,2)",
      using: "rental_rate::numeric(6,2)",
      stage: "expand",
    },
    afterApply: async (c) => {
      await expectValue(
        c,
        "SELECT count(*) FROM film WHERE rental_rate_ma_new IS DISTINCT FROM rental_rate",
        "0",
      );
    },
  },
  {
    name: "alter_column_type contract (pagila): film.rental_rate, read by film_list (GROUP BY) and another view",
    fixture: "pagila",
    action: asAny(alterColumnType),
    params: { table: "film", column: "rental_rate", type: "numeric(6,2)", stage: "contract" },
    setup: expandType({ table: "film", column: "rental_rate", type: "numeric(6,2)" }),
    afterApply: async (c) => {
      await expectValue(
        c,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'film_list'::regclass AND attname = 'price'",
        "numeric(6,2)",
      );
      await expectValue(c, "SELECT count(*) FROM film WHERE rental_rate IS NULL", "0");
      await expectValue(
        c,
        "SELECT column_default FROM information_schema.columns WHERE table_name = 'film' AND column_name = 'rental_rate'",
        "4.99",
      );
    },
  },
];
