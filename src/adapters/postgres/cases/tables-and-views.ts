import { expect } from "vitest";
import { createTable } from "../actions/create-table.js";
import { createView } from "../actions/create-view.js";
import { dropTable } from "../actions/drop-table.js";
import { dropView } from "../actions/drop-view.js";
import { replaceView } from "../actions/replace-view.js";
import { restoreTable } from "../actions/restore-table.js";
import { restoreView } from "../actions/restore-view.js";
import { stepContext } from "../backends.contract.js";
import type { PgConnection } from "../connection.js";
import { asAny, column, expectValue, type LifecycleCase, value } from "./case.js";

/** How many relations of that name exist in public (tables, views, sequences, indexes). */
const relations = (c: PgConnection, name: string) =>
  value(
    c,
    `SELECT count(*)::int FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname = '${name}'`,
  );

/** pagila's customer_list, with the customer's email added as a last column. */
const CUSTOMER_LIST_WITH_EMAIL = `SELECT cu.customer_id AS id,
    ((cu.first_name || ' '::text) || cu.last_name) AS name,
    a.address, a.postal_code AS "zip code", a.phone, city.city, country.country,
    CASE WHEN cu.activebool THEN 'active'::text ELSE ''::text END AS notes,
    cu.store_id AS sid, cu.email
   FROM public.customer cu
     JOIN public.address a ON cu.address_id = a.address_id
     JOIN public.city ON a.city_id = city.city_id
     JOIN public.country ON city.country_id = country.country_id`;

/** Lifecycle cases of create/drop/restore_table and create/replace/drop/restore_view. */
export const tableAndViewCases: LifecycleCase[] = [
  {
    name: "create_table: serial key, NOT NULL, defaults (coupons)",
    action: asAny(createTable),
    params: {
      table: "coupons",
      columns: [
        { name: "id", type: "bigserial" },
        { name: "code", type: "text", nullable: false },
        { name: "discount_cents", type: "integer", nullable: false, default: "0" },
        { name: "expires_at", type: "timestamptz" },
      ],
      primary_key: ["id"],
    },
    afterApply: async (c) => {
      expect(await column(c, "coupons", "code")).toMatchObject({ type: "text", nullable: "NO" });
      expect(await column(c, "coupons", "discount_cents")).toMatchObject({ nullable: "NO", default: "0" });
      expect(await relations(c, "coupons_id_seq")).toBe(1);
    },
  },
  {
    name: "create_table: a composite key, schema given (user_tags)",
    action: asAny(createTable),
    params: {
      schema: "public",
      table: "user_tags",
      columns: [
        { name: "user_id", type: "bigint" },
        { name: "tag", type: "varchar(40)" },
        { name: "tagged_at", type: "timestamp with time zone", nullable: false, default: "now()" },
      ],
      primary_key: ["user_id", "tag"],
    },
    afterApply: async (c) => {
      expect(await column(c, "user_tags", "tag")).toMatchObject({
        type: "character varying",
        nullable: "NO",
      });
    },
  },
  {
    name: "drop_table: archived with its sequence, index, foreign key (payments)",
    action: asAny(dropTable),
    params: { table: "payments" },
    setup: async (c) => {
      await c.client.exec(
        "CREATE INDEX payments_paid_at_idx ON payments (paid_at); COMMENT ON TABLE payments IS 'card payments'",
      );
    },
    afterApply: async (c) => {
      expect(await relations(c, "payments")).toBe(0);
      expect(await relations(c, "payments_id_seq")).toBe(0);
      expect(await relations(c, "payments_pkey")).toBe(0);
      expect(await relations(c, "payments_paid_at_idx")).toBe(0);
      await expectValue(c, "SELECT count(*) FROM ma_backup_table_payments", "30");
    },
  },
  {
    name: "drop_table: a composite key and CHECK constraint (order_items)",
    action: asAny(dropTable),
    params: { table: "order_items" },
    afterApply: async (c) => {
      expect(await relations(c, "order_items")).toBe(0);
      await expectValue(c, "SELECT count(*) FROM ma_backup_table_order_items", "80");
    },
  },
  {
    name: "restore_table: after a drop, with rows written before it (payments)",
    action: asAny(restoreTable),
    params: { table: "payments" },
    setup: async (c) => {
      await c.client.query("INSERT INTO payments (order_id, amount_cents) VALUES (31, 500)");
      await dropTable.apply(c, { table: "payments" }, stepContext());
    },
    afterApply: async (c) => {
      await expectValue(c, "SELECT count(*) FROM payments", "31");
      await expectValue(c, "SELECT obj_description('payments'::regclass, 'pg_class') IS NULL", "true");
      // The sequence came back with the table: the next id follows on.
      await expectValue(c, "SELECT nextval('payments_id_seq') > 31", "true");
    },
  },
  {
    name: "create_view: paid orders",
    action: asAny(createView),
    params: {
      name: "paid_orders",
      sql: "SELECT id, user_id, total_cents FROM orders WHERE status = 'paid'",
    },
    afterApply: async (c) => {
      await expectValue(c, "SELECT count(*) FROM paid_orders", "10");
    },
  },
  {
    name: "replace_view: a column added at the end (order_summaries)",
    action: asAny(replaceView),
    params: {
      name: "order_summaries",
      sql: "SELECT o.id, u.email, o.status, o.total_cents, o.created_at FROM orders o JOIN users u ON u.id = o.user_id",
    },
    setup: async (c) => {
      await c.client.exec("COMMENT ON VIEW order_summaries IS 'one row per order'");
    },
    afterApply: async (c) => {
      await expectValue(c, "SELECT count(created_at) FROM order_summaries", "40");
      await expectValue(
        c,
        "SELECT obj_description('order_summaries'::regclass, 'pg_class')",
        "one row per order",
      );
    },
  },
  {
    name: "drop_view: order_summaries",
    action: asAny(dropView),
    params: { name: "order_summaries" },
    afterApply: async (c) => {
      expect(await relations(c, "order_summaries")).toBe(0);
    },
  },
  {
    name: "restore_view: after a drop (order_summaries)",
    action: asAny(restoreView),
    params: { name: "order_summaries" },
    setup: async (c) => {
      await dropView.apply(c, { name: "order_summaries" }, stepContext());
    },
    afterApply: async (c) => {
      await expectValue(c, "SELECT count(*) FROM order_summaries", "40");
    },
  },
  {
    name: "create_view: pagila, films per actor",
    fixture: "pagila",
    action: asAny(createView),
    params: {
      name: "actor_film_counts",
      sql: `SELECT a.actor_id, a.first_name, a.last_name, count(fa.film_id) AS films
              FROM actor a LEFT JOIN film_actor fa ON fa.actor_id = a.actor_id
             GROUP BY a.actor_id, a.first_name, a.last_name`,
    },
    afterApply: async (c) => {
      await expectValue(
        c,
        "SELECT count(*) FROM actor_film_counts",
        String(await value(c, "SELECT count(*) FROM actor")),
      );
    },
  },
  {
    name: "replace_view: pagila customer_list with the email added",
    fixture: "pagila",
    action: asAny(replaceView),
    params: { name: "customer_list", sql: CUSTOMER_LIST_WITH_EMAIL },
    afterApply: async (c) => {
      await expectValue(c, "SELECT count(*) = count(email) FROM customer_list", "true");
    },
  },
  {
    name: "drop_view: pagila staff_list",
    fixture: "pagila",
    action: asAny(dropView),
    params: { name: "staff_list" },
    afterApply: async (c) => {
      expect(await relations(c, "staff_list")).toBe(0);
    },
  },
  {
    name: "drop_table: pagila, a table with identity key, FK to film, CHECK, trigger and index",
    fixture: "pagila",
    action: asAny(dropTable),
    params: { table: "film_review" },
    setup: async (c) => {
      await c.client.exec(`
        CREATE TABLE film_review (
          review_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          film_id integer NOT NULL REFERENCES film (film_id),
          stars smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
          body text,
          last_update timestamptz NOT NULL DEFAULT now());
        CREATE INDEX film_review_film_id_idx ON film_review (film_id);
        CREATE TRIGGER last_updated BEFORE UPDATE ON film_review FOR EACH ROW EXECUTE FUNCTION last_updated();
        INSERT INTO film_review (film_id, stars, body, last_update)
        SELECT film_id, 1 + film_id % 5, 'review ' || film_id, TIMESTAMPTZ '2024-01-01 00:00:00+00'
          FROM film WHERE film_id <= 200;`);
    },
    afterApply: async (c) => {
      expect(await relations(c, "film_review")).toBe(0);
      expect(await relations(c, "film_review_review_id_seq")).toBe(0);
      await expectValue(c, "SELECT count(*) FROM ma_backup_table_film_review", "200");
    },
  },
];
