import { PGlite } from "@electric-sql/pglite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { APP_SCHEMA, SMALL_SEED, stepContext } from "../backends.contract.js";
import { type PgConnection, pgConnection } from "../connection.js";
import { pgliteClient } from "../pglite-client.js";
import { alterColumnType } from "./alter-column-type.js";
import { ColumnsOutOfSyncError, ExpandStateMissingError, InvalidColumnChangeError } from "./expand-errors.js";
import { AlterTypeParams, RenameParams } from "./expand-params.js";
import { appendOutputColumn } from "./expand-views.js";
import { renameColumn } from "./rename-column.js";
import { revertAlterColumnType } from "./revert-alter-column-type.js";
import { revertRenameColumn } from "./revert-rename-column.js";

const aborted = () => {
  const controller = new AbortController();
  controller.abort();
  return { ...stepContext(), signal: controller.signal };
};

describe("expand/contract", () => {
  let c: PgConnection;
  beforeEach(async () => {
    c = pgConnection(pgliteClient(await PGlite.create()), "pglite:memory", { kind: "memory" });
    await c.client.exec(APP_SCHEMA);
    await c.client.exec(SMALL_SEED);
  });
  afterEach(() => c.client.close());
  const one = async (sql: string) => Object.values((await c.client.query(sql)).rows[0] ?? {})[0];
  const rename = (stage: "expand" | "contract") =>
    RenameParams.parse({ table: "users", from: "full_name", to: "name", stage, batch_size: 10 });

  it("rejects identifiers that are not plain names", () => {
    const base = { table: "users", from: "full_name", to: "name", stage: "expand" };
    expect(RenameParams.safeParse({ ...base, table: "users; DROP TABLE x" }).success).toBe(false);
    expect(RenameParams.safeParse({ ...base, to: 'a"b' }).success).toBe(false);
    expect(RenameParams.safeParse({ ...base, to: "full_name" }).success).toBe(false);
    expect(RenameParams.safeParse({ ...base, stage: "both" }).success).toBe(false);
    const type = { table: "order_items", column: "quantity", type: "bigint", stage: "expand" };
    expect(AlterTypeParams.safeParse({ ...type, column: 'a"b' }).success).toBe(false);
    expect(AlterTypeParams.safeParse({ ...type, type: "bigint; DROP TABLE x" }).success).toBe(false);
    expect(AlterTypeParams.safeParse({ ...type, using: "quantity) FROM x; --" }).success).toBe(false);
    expect(AlterTypeParams.safeParse({ ...type, extra: 1 }).success).toBe(false);
  });

  it("a contract (or its revert) before the expand is refused, naming the step to run", async () => {
    await expect(renameColumn.apply(c, rename("contract"), stepContext())).rejects.toBeInstanceOf(
      ExpandStateMissingError,
    );
    await expect(revertRenameColumn.apply(c, rename("contract"), stepContext())).rejects.toThrow(
      /run the expand step first/,
    );
    const type = AlterTypeParams.parse({
      table: "order_items",
      column: "quantity",
      type: "bigint",
      stage: "contract",
    });
    await expect(alterColumnType.apply(c, type, stepContext())).rejects.toBeInstanceOf(
      ExpandStateMissingError,
    );
  });

  it("an expand interrupted after its DDL resumes and finishes; the contract waits for it", async () => {
    await expect(renameColumn.apply(c, rename("expand"), aborted())).rejects.toThrow(/paused/);
    expect(await renameColumn.verify(c, rename("expand"))).toBe(false);
    expect(await one("SELECT count(*)::int FROM users WHERE name IS NULL")).toBe(30);
    // Writes during the pause are synced by the trigger already.
    await c.client.query("UPDATE users SET full_name = 'Paused' WHERE id = 5");
    expect(await one("SELECT name FROM users WHERE id = 5")).toBe("Paused");
    await expect(renameColumn.apply(c, rename("contract"), stepContext())).rejects.toThrow(
      /expand has not finished/,
    );
    await renameColumn.apply(c, rename("expand"), stepContext());
    expect(await renameColumn.verify(c, rename("expand"))).toBe(true);
    expect(await one("SELECT count(*)::int FROM users WHERE name IS DISTINCT FROM full_name")).toBe(0);
    // The NOT NULL check is validated once the backfill is done.
    expect(await one("SELECT convalidated FROM pg_constraint WHERE conname = 'users_name_ma_not_null'")).toBe(
      true,
    );
  });

  it("the contract refuses columns that went out of sync (writes that bypassed the trigger)", async () => {
    await renameColumn.apply(c, rename("expand"), stepContext());
    await c.client.transaction(async (tx) => {
      await tx.query("SET LOCAL session_replication_role = replica");
      await tx.query("UPDATE users SET name = 'Drifted' WHERE id = 4");
    });
    await expect(renameColumn.apply(c, rename("contract"), stepContext())).rejects.toBeInstanceOf(
      ColumnsOutOfSyncError,
    );
    // Running the expand again re-syncs (old wins where they differ), then the contract goes through.
    await renameColumn.apply(c, rename("expand"), stepContext());
    await renameColumn.apply(c, rename("contract"), stepContext());
    expect(await one("SELECT name FROM users WHERE id = 4")).toBe("User 4");
    expect(await revertRenameColumn.verify(c, rename("contract"))).toBe(false);
  });

  it("the expand refuses a new name that is already a column, and reverting an expand that never ran is a no-op", async () => {
    const taken = RenameParams.parse({ table: "users", from: "full_name", to: "phone", stage: "expand" });
    await expect(renameColumn.apply(c, taken, stepContext())).rejects.toBeInstanceOf(
      InvalidColumnChangeError,
    );
    const outcome = await revertRenameColumn.apply(c, rename("expand"), stepContext());
    expect(outcome.notes?.[0]).toMatch(/nothing to undo/);
  });

  it("alter_column_type: without a cast back, says that writes to the new column sync one way", async () => {
    const p = AlterTypeParams.parse({
      table: "order_items",
      column: "quantity",
      type: "int4range",
      using: "int4range(quantity, quantity + 1)",
      stage: "expand",
    });
    const outcome = await alterColumnType.apply(c, p, stepContext());
    expect(outcome.notes?.join(" ")).toMatch(/no cast from int4range back to integer/);
    expect(outcome.figures?.two_way).toBe(false);
    await c.client.query("UPDATE order_items SET quantity = 3 WHERE order_id = 1");
    expect(
      await one("SELECT string_agg(DISTINCT quantity_ma_new::text, ',') FROM order_items WHERE order_id = 1"),
    ).toBe("[3,4)");
    await revertAlterColumnType.apply(c, p, stepContext());
    expect(await revertAlterColumnType.verify(c, p)).toBe(true);
  });

  it("alter_column_type: refuses a broken USING, the same type, and a contract over a unique index", async () => {
    const expand = (extra: Record<string, unknown>) =>
      AlterTypeParams.parse({ table: "products", column: "sku", type: "bigint", stage: "expand", ...extra });
    await expect(
      alterColumnType.apply(c, expand({ using: "no_such_column + 1" }), stepContext()),
    ).rejects.toThrow(/does not work/);
    await expect(alterColumnType.apply(c, expand({ type: "text" }), stepContext())).rejects.toThrow(
      /already of type/,
    );
    const p = expand({ type: "varchar(40)" });
    await alterColumnType.apply(c, p, stepContext());
    await expect(alterColumnType.apply(c, { ...p, stage: "contract" }, stepContext())).rejects.toThrow(
      /unenforced during the swap/,
    );
  });
});

describe("appendOutputColumn", () => {
  it("appends the output column's expression under the new name", () => {
    const def =
      " SELECT a.actor_id,\n    a.first_name,\n    a.last_name\n   FROM actor a\n  GROUP BY a.actor_id, a.first_name;";
    expect(appendOutputColumn(def, "first_name", "given_name")).toBe(
      'SELECT a.actor_id,\n    a.first_name,\n    a.last_name,\n    a.first_name AS "given_name"\n   FROM actor a\n  GROUP BY a.actor_id, a.first_name',
    );
  });
  it("uses the expression of an aliased column, and ignores FROM inside parentheses and strings", () => {
    const def =
      " SELECT (SELECT max(x) FROM y) AS m,\n    upper(c.n) AS first_name,\n    'FROM' AS f\n   FROM c";
    expect(appendOutputColumn(def, "first_name", "n2")).toContain(
      "'FROM' AS f,\n    upper(c.n) AS \"n2\"\n   FROM c",
    );
  });
  it("leaves alone what is not one plain SELECT, or has no such column", () => {
    expect(appendOutputColumn(" SELECT a.x FROM t a UNION SELECT b.x FROM u b", "x", "y")).toBeUndefined();
    expect(appendOutputColumn(" WITH q AS (SELECT 1 AS x) SELECT q.x FROM q", "x", "y")).toBeUndefined();
    expect(appendOutputColumn(" SELECT a.z FROM t a", "x", "y")).toBeUndefined();
    expect(appendOutputColumn(" SELECT DISTINCT a.x FROM t a", "x", "y")).toBeUndefined();
  });
});
