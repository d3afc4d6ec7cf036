import { describe, expect, it } from "vitest";
import { addColumn } from "./actions/add-column.js";
import { dropColumn } from "./actions/drop-column.js";
import { restoreColumn } from "./actions/restore-column.js";
import { type Backend, stepContext } from "./backends.contract.js";
import type { PgConnection } from "./connection.js";
import { snapshotPostgres } from "./snapshot.js";

interface Refusal {
  name: string;
  setup?: string;
  act: (c: PgConnection) => Promise<unknown>;
  message: RegExp;
}

const REFUSALS: Refusal[] = [
  {
    name: "drop_column of a column a view reads",
    act: (c) => dropColumn.apply(c, { table: "users", column: "email" }, stepContext()),
    message: /cannot drop users\.email with a backup: used by .*order_summaries/,
  },
  {
    name: "drop_column of a column another table's foreign key references",
    setup: `ALTER TABLE payments ADD CONSTRAINT payments_card_key UNIQUE (card_last4);
            CREATE TABLE refunds (id int PRIMARY KEY, card text REFERENCES payments (card_last4))`,
    act: (c) => dropColumn.apply(c, { table: "payments", column: "card_last4" }, stepContext()),
    message: /cannot drop payments\.card_last4 with a backup: used by .*refunds/,
  },
  {
    name: "drop_column of a primary-key column",
    act: (c) => dropColumn.apply(c, { table: "order_items", column: "order_id" }, stepContext()),
    message: /part of the primary key/,
  },
  {
    name: "drop_column on a table without a primary key",
    setup: "CREATE TABLE logs (at timestamptz, line text)",
    act: (c) => dropColumn.apply(c, { table: "logs", column: "line" }, stepContext()),
    message: /has no primary key/,
  },
  {
    name: "drop_column on a missing table",
    act: (c) => dropColumn.apply(c, { table: "nope", column: "x" }, stepContext()),
    message: /table public\.nope does not exist/,
  },
  {
    name: "add_column over a column of another type",
    act: (c) =>
      addColumn.apply(c, { table: "users", column: { name: "phone", type: "integer" } }, stepContext()),
    message: /column users\.phone already exists as text, not integer/,
  },
  {
    name: "add_column of an unknown type",
    act: (c) =>
      addColumn.apply(c, { table: "users", column: { name: "x", type: "no_such_type" } }, stepContext()),
    message: /no_such_type/,
  },
  {
    name: "add_column NOT NULL without a default on a table with rows",
    act: (c) =>
      addColumn.apply(
        c,
        { table: "users", column: { name: "x", type: "text", nullable: false } },
        stepContext(),
      ),
    message: /contains null values/,
  },
  {
    name: "restore_column without a backup",
    setup: "ALTER TABLE users DROP COLUMN phone",
    act: (c) => restoreColumn.apply(c, { table: "users", column: "phone" }, stepContext()),
    message: /its backup table ma_backup_users_phone does not exist/,
  },
];

/** What the actions refuse to do, with the reason, leaving the database as it was. */
export function refusalsContract(backend: Backend): void {
  describe("refusals", () => {
    it.each(REFUSALS)("$name", async ({ setup, act, message }) => {
      const db = await backend.fresh();
      try {
        if (setup) await db.connection.client.exec(setup);
        const before = await snapshotPostgres(db.connection, "app-db");
        await expect(act(db.connection)).rejects.toThrow(message);
        // Nothing was left half done: the same state, and a second attempt fails the same way.
        const after = await snapshotPostgres(db.connection, "app-db");
        expect({ ...after, taken_at: "" }).toEqual({ ...before, taken_at: "" });
        await expect(act(db.connection)).rejects.toThrow(message);
      } finally {
        await db.close();
      }
    });

    it("add_column does nothing when the column exists with the same type (int4 is integer)", async () => {
      const db = await backend.fresh();
      try {
        const before = await snapshotPostgres(db.connection, "app-db");
        const outcome = await addColumn.apply(
          db.connection,
          { table: "orders", column: { name: "total_cents", type: "int4" } },
          stepContext(),
        );
        expect(outcome.figures?.changed).toBe(false);
        expect(outcome.notes).toEqual(["orders.total_cents was already there with that type: nothing done"]);
        expect((await snapshotPostgres(db.connection, "app-db")).fingerprint).toBe(before.fingerprint);
      } finally {
        await db.close();
      }
    });
  });
}
