import { expect } from "vitest";
import { addCheckConstraint } from "../actions/add-check-constraint.js";
import { addForeignKey } from "../actions/add-foreign-key.js";
import { addUnique } from "../actions/add-unique.js";
import { createIndex } from "../actions/create-index.js";
import { dropConstraint } from "../actions/drop-constraint.js";
import { dropIndex } from "../actions/drop-index.js";
import { dropNotNull } from "../actions/drop-not-null.js";
import { restoreIndex } from "../actions/restore-index.js";
import { setNotNull } from "../actions/set-not-null.js";
import { stepContext } from "../backends.contract.js";
import type { PgConnection } from "../connection.js";
import { asAny, column, type LifecycleCase, value } from "./case.js";

/** pg_get_indexdef of an index of `public`, with ` INVALID` when it is not valid; undefined when none. */
async function indexDef(c: PgConnection, name: string): Promise<string | undefined> {
  const { rows } = await c.client.query<{ def: string }>(
    `SELECT pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END AS def
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = $1`,
    [name],
  );
  return rows[0]?.def;
}

/** pg_get_constraintdef of a constraint of a table of `public`, or undefined. */
async function constraintDef(c: PgConnection, table: string, name: string): Promise<string | undefined> {
  const { rows } = await c.client.query<{ def: string }>(
    `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE conrelid = ('public.' || quote_ident($1))::regclass AND conname = $2`,
    [table, name],
  );
  return rows[0]?.def;
}

/** Lifecycle cases of the index and constraint actions, on the app fixture and on pagila. */
export const indexAndConstraintCases: LifecycleCase[] = [
  {
    name: "create_index: two columns, default name (orders.status, created_at)",
    action: asAny(createIndex),
    params: { table: "orders", columns: ["status", "created_at"] },
    afterApply: async (c) => {
      expect(await indexDef(c, "orders_status_created_at_idx")).toBe(
        "CREATE INDEX orders_status_created_at_idx ON public.orders USING btree (status, created_at)",
      );
    },
  },
  {
    name: "create_index: unique and partial, named (users.phone WHERE phone IS NOT NULL)",
    action: asAny(createIndex),
    params: {
      table: "users",
      columns: ["phone"],
      name: "users_phone_uidx",
      unique: true,
      where: "phone is not null",
    },
    afterApply: async (c) => {
      expect(await indexDef(c, "users_phone_uidx")).toBe(
        "CREATE UNIQUE INDEX users_phone_uidx ON public.users USING btree (phone) WHERE (phone IS NOT NULL)",
      );
    },
  },
  {
    name: "create_index: hash method (payments.card_last4)",
    action: asAny(createIndex),
    params: { table: "payments", columns: ["card_last4"], method: "hash", schema: "public" },
    afterApply: async (c) => {
      expect(await indexDef(c, "payments_card_last4_idx")).toBe(
        "CREATE INDEX payments_card_last4_idx ON public.payments USING hash (card_last4)",
      );
    },
  },
  {
    name: "drop_index: a plain index, restored from its kept definition (orders_user_id_idx)",
    action: asAny(dropIndex),
    params: { name: "orders_user_id_idx" },
    setup: async (c) => {
      await c.client.exec("COMMENT ON INDEX orders_user_id_idx IS 'orders by user'");
    },
    afterApply: async (c) => {
      expect(await indexDef(c, "orders_user_id_idx")).toBeUndefined();
      expect(
        await value(
          c,
          "SELECT definition->>'definition' FROM ma_backup__definitions WHERE name = 'orders_user_id_idx'",
        ),
      ).toBe("CREATE INDEX orders_user_id_idx ON public.orders USING btree (user_id)");
    },
  },
  {
    name: "restore_index: after a drop (orders_user_id_idx)",
    action: asAny(restoreIndex),
    params: { name: "orders_user_id_idx" },
    setup: async (c) => {
      await dropIndex.apply(c, { name: "orders_user_id_idx" }, stepContext());
    },
    afterApply: async (c) => {
      expect(await indexDef(c, "orders_user_id_idx")).toBe(
        "CREATE INDEX orders_user_id_idx ON public.orders USING btree (user_id)",
      );
      expect(await value(c, "SELECT count(*)::int FROM ma_backup__definitions")).toBe(0);
    },
  },
  {
    name: "add_unique: index built concurrently, then the constraint (products.title)",
    action: asAny(addUnique),
    params: { table: "products", columns: ["title"] },
    afterApply: async (c) => {
      expect(await constraintDef(c, "products", "products_title_key")).toBe("UNIQUE (title)");
      expect(await indexDef(c, "products_title_key")).toBe(
        "CREATE UNIQUE INDEX products_title_key ON public.products USING btree (title)",
      );
    },
  },
  {
    name: "add_foreign_key: NOT VALID, then VALIDATE, on delete set null (payments.user_id → users)",
    action: asAny(addForeignKey),
    params: {
      table: "payments",
      columns: ["user_id"],
      references: { table: "users", columns: ["id"] },
      on_delete: "set null",
    },
    setup: async (c) => {
      await c.client.exec(
        "ALTER TABLE payments ADD COLUMN user_id bigint; UPDATE payments p SET user_id = o.user_id FROM orders o WHERE o.id = p.order_id",
      );
    },
    afterApply: async (c) => {
      expect(await constraintDef(c, "payments", "payments_user_id_fkey")).toBe(
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL",
      );
    },
  },
  {
    name: "add_check_constraint: NOT VALID, then VALIDATE (orders.total_cents >= 0)",
    action: asAny(addCheckConstraint),
    params: { table: "orders", name: "orders_total_cents_check", expression: "total_cents >= 0" },
    afterApply: async (c) => {
      expect(await constraintDef(c, "orders", "orders_total_cents_check")).toBe("CHECK ((total_cents >= 0))");
    },
  },
  {
    name: "drop_constraint: a CHECK, undone by add_check_constraint (products_price_cents_check)",
    action: asAny(dropConstraint),
    params: { table: "products", name: "products_price_cents_check" },
    rollback: {
      action: "postgres.add_check_constraint",
      params: { table: "products", name: "products_price_cents_check", expression: "price_cents >= 0" },
    },
    afterApply: async (c) => {
      expect(await constraintDef(c, "products", "products_price_cents_check")).toBeUndefined();
      expect(
        await value(
          c,
          "SELECT definition->>'definition' FROM ma_backup__definitions WHERE name = 'products_price_cents_check'",
        ),
      ).toBe("CHECK ((price_cents >= 0))");
    },
  },
  {
    name: "drop_constraint: a foreign key, undone by add_foreign_key (order_items_product_id_fkey)",
    action: asAny(dropConstraint),
    params: { table: "order_items", name: "order_items_product_id_fkey" },
    rollback: {
      action: "postgres.add_foreign_key",
      params: {
        table: "order_items",
        columns: ["product_id"],
        references: { table: "products", columns: ["id"] },
      },
    },
    afterApply: async (c) => {
      expect(await constraintDef(c, "order_items", "order_items_product_id_fkey")).toBeUndefined();
    },
  },
  {
    name: "set_not_null: through a validated CHECK (payments.card_last4)",
    action: asAny(setNotNull),
    params: { table: "payments", column: "card_last4" },
    afterApply: async (c) => {
      expect(await column(c, "payments", "card_last4")).toMatchObject({ nullable: "NO" });
      expect(await constraintDef(c, "payments", "payments_card_last4_ma_not_null")).toBeUndefined();
    },
  },
  {
    name: "drop_not_null: orders.status",
    action: asAny(dropNotNull),
    params: { table: "orders", column: "status" },
    afterApply: async (c) => {
      expect(await column(c, "orders", "status")).toMatchObject({ nullable: "YES" });
    },
  },
  {
    name: "create_index: pagila rental (return_date)",
    fixture: "pagila",
    action: asAny(createIndex),
    params: { table: "rental", columns: ["return_date"] },
    afterApply: async (c) => {
      expect(await indexDef(c, "rental_return_date_idx")).toBe(
        "CREATE INDEX rental_return_date_idx ON public.rental USING btree (return_date)",
      );
    },
  },
  {
    name: "create_index: pagila partitioned payment (customer_id, payment_date): ON ONLY, per partition, attached",
    fixture: "pagila",
    action: asAny(createIndex),
    params: { table: "payment", columns: ["customer_id", "payment_date"] },
    afterApply: async (c) => {
      expect(await indexDef(c, "payment_customer_id_payment_date_idx")).toBe(
        "CREATE INDEX payment_customer_id_payment_date_idx ON ONLY public.payment USING btree (customer_id, payment_date)",
      );
      expect(await indexDef(c, "payment_p2022_01_customer_id_payment_date_ma_idx")).toBe(
        "CREATE INDEX payment_p2022_01_customer_id_payment_date_ma_idx ON public.payment_p2022_01 USING btree (customer_id, payment_date)",
      );
      // Every partition's index is attached: none is left out.
      expect(
        await value(
          c,
          `SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'payment_customer_id_payment_date_idx'::regclass`,
        ),
      ).toBe(await value(c, "SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'payment'::regclass"));
    },
  },
  {
    name: "drop_index: pagila unique index, restored (idx_unq_rental_rental_date_inventory_id_customer_id)",
    fixture: "pagila",
    action: asAny(dropIndex),
    params: { name: "idx_unq_rental_rental_date_inventory_id_customer_id" },
    afterApply: async (c) => {
      expect(await indexDef(c, "idx_unq_rental_rental_date_inventory_id_customer_id")).toBeUndefined();
    },
  },
  {
    name: "drop_index: pagila partitioned index, restored with its partitions' indexes (payment staff_id, amount)",
    fixture: "pagila",
    action: asAny(dropIndex),
    params: { name: "payment_staff_amount_idx" },
    setup: async (c) => {
      // Made the ordinary way: PostgreSQL names the partitions' indexes itself.
      await c.client.exec("CREATE INDEX payment_staff_amount_idx ON payment (staff_id, amount)");
    },
    afterApply: async (c) => {
      expect(await indexDef(c, "payment_staff_amount_idx")).toBeUndefined();
      expect(await indexDef(c, "payment_p2022_01_staff_id_amount_idx")).toBeUndefined();
    },
  },
];
