import { describe, expect, it } from "vitest";
import { blueprint, step } from "../../../test/support/blueprints.js";
import type { Step } from "../blueprint/schema.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { validateBlueprint } from "../validate.js";

const MB = 1024 * 1024;
const col = (name: string, type = "text", nullable = true) => ({ name, type, nullable, default: null });
const check = (name: string, definition: string, validated: boolean) => ({
  name,
  type: "check",
  columns: [],
  definition,
  validated,
});

/** A discovery of the shape the postgres adapter returns (only what the lint reads, plus noise). */
const DISCOVERY = {
  kind: "postgres",
  driver: "pg",
  fingerprint: "sha256:x",
  tables: [
    {
      schema: "public",
      name: "orders",
      row_estimate: 1_200_000,
      size_bytes: 182 * MB,
      partitioned: false,
      columns: [
        col("id", "bigint", false),
        col("user_id", "bigint"),
        col("status"),
        col("total_cents", "integer"),
        col("note", "character varying(100)"),
      ],
      indexes: [],
      constraints: [],
      triggers: [],
    },
    {
      schema: "public",
      name: "users",
      row_estimate: 30,
      size_bytes: 64 * 1024,
      partitioned: false,
      columns: [col("id", "bigint", false), col("email"), col("full_name"), col("phone")],
      indexes: [{ name: "users_pkey", unique: true, valid: true, definition: "…" }],
      constraints: [
        check("users_full_name_nn", "CHECK ((full_name IS NOT NULL))", true),
        check("users_phone_nn", "CHECK ((phone IS NOT NULL)) NOT VALID", false),
      ],
    },
    {
      schema: "public",
      name: "empty_log",
      row_estimate: 0,
      size_bytes: 16384,
      columns: [col("id", "bigint")],
    },
    {
      schema: "public",
      name: "events",
      row_estimate: null,
      size_bytes: 2048 * MB,
      partitioned: true,
      columns: [col("id", "bigint"), col("at", "timestamp with time zone")],
    },
  ],
  views: [
    {
      schema: "public",
      name: "order_summaries",
      materialized: false,
      reads: [
        { schema: "public", table: "orders", columns: ["id", "user_id", "status", "total_cents"] },
        { schema: "public", table: "users", columns: ["id", "email"] },
      ],
    },
    {
      schema: "public",
      name: "status_counts",
      materialized: true,
      reads: [{ schema: "public", table: "orders", columns: ["status"] }],
    },
  ],
};

const sql = (id: string, text: string) => step(id, { params: { sql: text } });
const action = (id: string, name: string, params: Record<string, unknown>): Step =>
  step(id, { action: `postgres.${name}`, params, rollback: { inverse: true } });

/** The lint's diagnostics (MA505, MA506, MA6xx) for these steps, with or without the discovery. */
function lint(steps: Step[], discovered = true): Diagnostic[] {
  const options = discovered ? { discovery: new Map([["app-db", DISCOVERY]]) } : {};
  return validateBlueprint(blueprint({ p1: steps }), options).diagnostics.filter(
    (d) => d.code === "MA505" || d.code === "MA506" || d.code === "MA507" || d.code.startsWith("MA6"),
  );
}
const codes = (steps: Step[], discovered = true) => lint(steps, discovered).map((d) => d.code);
const only = (steps: Step[], code: string, discovered = true) =>
  lint(steps, discovered).filter((d) => d.code === code);

describe("MA601 non-concurrent index", () => {
  it("states the table's figures when discovered", () => {
    const [d] = only([sql("a", "CREATE INDEX orders_status_idx ON orders (status)")], "MA601");
    expect(d?.severity).toBe("warning");
    expect(d?.path).toEqual(["blueprint", "phases", 0, "steps", 0, "params", "sql"]);
    expect(d?.message).toContain("orders has ~1,200,000 rows (182 MB)");
  });

  it("fires without discovery too, saying the size is unknown", () => {
    const [d] = only([sql("a", "CREATE INDEX ON orders (status)")], "MA601", false);
    expect(d?.message).toContain("its size is unknown without discovery");
  });

  it("says how to index a partitioned table", () => {
    const [d] = only([sql("a", "CREATE INDEX ON events (at)")], "MA601");
    expect(d?.message).toContain("events has an unknown number of rows (2.0 GB)");
    expect(d?.message).toContain("is partitioned");
  });

  it("counts ADD UNIQUE and ADD PRIMARY KEY without USING INDEX as index builds", () => {
    expect(codes([sql("a", "ALTER TABLE orders ADD CONSTRAINT orders_note_key UNIQUE (note)")])).toContain(
      "MA601",
    );
    expect(
      codes([
        sql("a", "ALTER TABLE orders ADD CONSTRAINT orders_note_key UNIQUE USING INDEX orders_note_idx"),
      ]),
    ).not.toContain("MA601");
  });

  it("stays quiet for CONCURRENTLY, an empty table, a table the script creates, a table not there yet", () => {
    expect(only([sql("a", "CREATE INDEX CONCURRENTLY ON orders (status)")], "MA601")).toEqual([]);
    expect(only([sql("a", "CREATE INDEX ON empty_log (id)")], "MA601")).toEqual([]);
    expect(
      only([sql("a", "CREATE TABLE audit (id int); CREATE INDEX ON audit (id)")], "MA601", false),
    ).toEqual([]);
    expect(only([sql("a", "CREATE INDEX ON brand_new (id)")], "MA601")).toEqual([]);
  });

  it("does not flag the create_index action, which builds CONCURRENTLY", () => {
    expect(codes([action("a", "create_index", { table: "orders", columns: ["status"] })])).toEqual([]);
  });
});

describe("MA602 type change that rewrites", () => {
  it("flags ALTER … TYPE with the old type and the figures", () => {
    const [d] = only([sql("a", "ALTER TABLE orders ALTER COLUMN total_cents TYPE bigint")], "MA602");
    expect(d?.severity).toBe("warning");
    expect(d?.message).toContain("(from integer)");
    expect(d?.message).toContain("orders has ~1,200,000 rows (182 MB)");
  });

  it("knows the binary-compatible changes when the old type is known", () => {
    expect(only([sql("a", "ALTER TABLE orders ALTER note TYPE varchar(200)")], "MA602")).toEqual([]);
    expect(only([sql("a", "ALTER TABLE orders ALTER note TYPE text")], "MA602")).toEqual([]);
    expect(only([sql("a", "ALTER TABLE orders ALTER note TYPE varchar(50)")], "MA602")).toHaveLength(1);
  });

  it("fires without discovery, allowing for a binary-compatible change", () => {
    const [d] = only([sql("a", "ALTER TABLE orders ALTER note TYPE varchar(200)")], "MA602", false);
    expect(d?.message).toContain("unless the change is binary-compatible");
  });

  it("does not flag alter_column_type, which expands and contracts instead of rewriting", () => {
    const params = { table: "orders", column: "total_cents", type: "bigint", stage: "expand" };
    expect(codes([action("a", "alter_column_type", params)])).toEqual([]);
  });
});

describe("MA603 SET NOT NULL without a validated check", () => {
  it("flags it, with figures", () => {
    const [d] = only([sql("a", "ALTER TABLE orders ALTER COLUMN status SET NOT NULL")], "MA603");
    expect(d?.message).toContain("no validated CHECK (status IS NOT NULL)");
    expect(d?.message).toContain("orders has ~1,200,000 rows");
  });

  it("is quiet when a validated check exists in the database or earlier in the script", () => {
    expect(only([sql("a", "ALTER TABLE users ALTER full_name SET NOT NULL")], "MA603")).toEqual([]);
    const script = `ALTER TABLE orders ADD CONSTRAINT orders_status_nn CHECK (status IS NOT NULL) NOT VALID;
                    ALTER TABLE orders VALIDATE CONSTRAINT orders_status_nn;
                    ALTER TABLE orders ALTER COLUMN status SET NOT NULL`;
    expect(only([sql("a", script)], "MA603")).toEqual([]);
  });

  it("still flags it when the check is NOT VALID and never validated", () => {
    expect(only([sql("a", "ALTER TABLE users ALTER phone SET NOT NULL")], "MA603")).toHaveLength(1);
    const script = `ALTER TABLE orders ADD CONSTRAINT orders_status_nn CHECK (status IS NOT NULL) NOT VALID;
                    ALTER TABLE orders ALTER COLUMN status SET NOT NULL`;
    expect(only([sql("a", script)], "MA603")).toHaveLength(1);
  });
});

describe("MA604 constraint without NOT VALID", () => {
  it("flags a foreign key and a check added valid on a table with rows", () => {
    const found = only(
      [
        sql(
          "a",
          `ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
           ALTER TABLE orders ADD CHECK (total_cents >= 0)`,
        ),
      ],
      "MA604",
    );
    expect(found.map((d) => d.message)).toEqual([
      expect.stringContaining("ADD FOREIGN KEY orders_user_fk without NOT VALID checks every row of orders"),
      expect.stringContaining("ADD CHECK without NOT VALID"),
    ]);
  });

  it("is quiet with NOT VALID, and on an empty table", () => {
    expect(
      only([sql("a", "ALTER TABLE orders ADD CONSTRAINT c CHECK (total_cents >= 0) NOT VALID")], "MA604"),
    ).toEqual([]);
    expect(only([sql("a", "ALTER TABLE empty_log ADD CHECK (id > 0)")], "MA604")).toEqual([]);
  });
});

describe("MA605 volatile default on a large table", () => {
  const add = (table: string, column: Record<string, unknown>) =>
    action("a", "add_column", { table, column });

  it("flags add_column with a volatile default on a large table, with figures", () => {
    const [d] = only([add("orders", { name: "ref", type: "uuid", default: "gen_random_uuid()" })], "MA605");
    expect(d?.severity).toBe("warning");
    expect(d?.path).toEqual(["blueprint", "phases", 0, "steps", 0, "params", "column", "default"]);
    expect(d?.message).toContain("the volatile default gen_random_uuid()");
    expect(d?.message).toContain("orders has ~1,200,000 rows (182 MB)");
    expect(
      only([add("orders", { name: "at", type: "timestamptz", default: "clock_timestamp()" })], "MA605"),
    ).toHaveLength(1);
  });

  it("flags a serial column and raw SQL too", () => {
    expect(only([add("orders", { name: "seq", type: "bigserial" })], "MA605")).toHaveLength(1);
    expect(
      only([sql("a", "ALTER TABLE orders ADD COLUMN ref uuid DEFAULT gen_random_uuid()")], "MA605"),
    ).toHaveLength(1);
  });

  it("is quiet for a stable or constant default, a small table, or without discovery", () => {
    expect(only([add("orders", { name: "at", type: "timestamptz", default: "now()" })], "MA605")).toEqual([]);
    expect(only([add("orders", { name: "flag", type: "text", default: "'random()'" })], "MA605")).toEqual([]);
    expect(
      only([add("users", { name: "ref", type: "uuid", default: "gen_random_uuid()" })], "MA605"),
    ).toEqual([]);
    expect(
      only([add("orders", { name: "ref", type: "uuid", default: "gen_random_uuid()" })], "MA605", false),
    ).toEqual([]);
  });
});

describe("MA606 dropping what a view reads", () => {
  it("flags drop_column of a column a view reads, naming the view", () => {
    const [d] = only([action("a", "drop_column", { table: "users", column: "email" })], "MA606");
    expect(d?.severity).toBe("error");
    expect(d?.path).toEqual(["blueprint", "phases", 0, "steps", 0, "params", "column"]);
    expect(d?.message).toBe(
      "step 'a' drops users.email, which the view order_summaries reads: replace or drop it in an earlier step",
    );
  });

  it("names every view, materialized ones as such", () => {
    const [d] = only([action("a", "drop_table", { table: "orders" })], "MA606");
    expect(d?.message).toContain("the views order_summaries, materialized view status_counts read");
  });

  it("leaves rename_column and alter_column_type alone: their contract carries the views over", () => {
    const rename = (stage: string) =>
      action(`r-${stage}`, "rename_column", { table: "orders", from: "status", to: "state", stage });
    expect(only([rename("expand"), rename("contract")], "MA606")).toEqual([]);
    const retype = { table: "orders", column: "total_cents", type: "bigint", stage: "contract" };
    expect(only([action("a", "alter_column_type", retype)], "MA606")).toEqual([]);
  });

  it("flags raw DROP COLUMN, DROP TABLE and a type change of a column a view reads", () => {
    expect(only([sql("a", "ALTER TABLE users DROP COLUMN email")], "MA606")).toHaveLength(1);
    expect(only([sql("a", "DROP TABLE users CASCADE")], "MA606")).toHaveLength(1);
    expect(only([sql("a", "ALTER TABLE orders ALTER status TYPE varchar(20)")], "MA606")).toHaveLength(1);
  });

  it("is quiet for a column no view reads, without discovery, and when the blueprint replaces the view", () => {
    expect(only([action("a", "drop_column", { table: "users", column: "phone" })], "MA606")).toEqual([]);
    expect(only([action("a", "drop_column", { table: "users", column: "email" })], "MA606", false)).toEqual(
      [],
    );
    const replace = action("v", "replace_view", { name: "order_summaries", sql: "SELECT 1" });
    expect(only([replace, action("a", "drop_column", { table: "users", column: "email" })], "MA606")).toEqual(
      [],
    );
    const dropView = sql("v", "DROP VIEW order_summaries");
    expect(only([dropView, sql("a", "ALTER TABLE users DROP COLUMN email")], "MA606")).toEqual([]);
  });
});

describe("MA607 rename without expand/contract", () => {
  it("flags RENAME COLUMN and RENAME TO, with or without discovery", () => {
    const found = only(
      [
        sql(
          "a",
          "ALTER TABLE users RENAME COLUMN email TO email_address; ALTER TABLE orders RENAME TO purchases",
        ),
      ],
      "MA607",
      false,
    );
    expect(found.map((d) => d.message)).toEqual([
      "step 'a': RENAME COLUMN email TO email_address on users breaks every client that still reads or writes email",
      "step 'a': RENAME orders TO purchases breaks every client that still uses orders",
    ]);
  });

  it("leaves constraint renames and the rename_column action alone", () => {
    expect(only([sql("a", "ALTER TABLE users RENAME CONSTRAINT a TO b")], "MA607")).toEqual([]);
    const params = { table: "users", from: "email", to: "email_address", stage: "expand" };
    expect(codes([action("a", "rename_column", params)])).toEqual([]);
  });
});

describe("MA608 raw SQL", () => {
  it("is an info on raw SQL that changes something", () => {
    const [d] = only([sql("a", "UPDATE orders SET status = 'x'; ANALYZE orders")], "MA608", false);
    expect(d?.severity).toBe("info");
    expect(d?.message).toContain("the lint recognized 0 of its 2 statements");
  });

  it("is quiet for read-only SQL", () => {
    expect(only([sql("a", "SELECT 1"), sql("b", "ANALYZE orders")], "MA608", false)).toEqual([]);
  });
});

describe("MA507 a type change to the type the column has", () => {
  it("flags it at params.type, aliases aside; a real change passes; nothing without discovery", () => {
    const same = action("a", "alter_column_type", {
      table: "orders",
      column: "id",
      type: "int8",
      stage: "expand",
    });
    expect(only([same], "MA507").map((d) => [d.severity, d.path.slice(5).join("."), d.message])).toEqual([
      ["error", "params.type", "step 'a': orders.id is already bigint: there is nothing to change"],
    ]);
    expect(only([{ ...same, params: { ...same.params, type: "numeric(20,0)" } }], "MA507")).toEqual([]);
    expect(only([same], "MA507", false)).toEqual([]);
  });
});

describe("MA506 a name the database already uses", () => {
  it("flags an index or constraint whose name is taken, at params.name", () => {
    const found = lint([
      action("a", "create_index", { table: "users", columns: ["email"], name: "users_pkey" }),
      action("b", "add_check_constraint", {
        table: "users",
        name: "users_phone_nn",
        expression: "phone <> ''",
      }),
      action("c", "add_unique", { table: "orders", columns: ["note"], name: "users_pkey" }),
    ]);
    expect(found.map((d) => [d.code, d.severity, d.path.slice(5).join("."), d.message])).toEqual([
      [
        "MA506",
        "error",
        "params.name",
        "step 'a': there is already an index users_pkey on users; the step would do nothing and its rollback would drop it",
      ],
      [
        "MA506",
        "error",
        "params.name",
        "step 'b': users already has a constraint users_phone_nn (CHECK ((phone IS NOT NULL)) NOT VALID); the step would do nothing and its rollback would drop it",
      ],
      [
        "MA506",
        "error",
        "params.name",
        "step 'c': there is already an index users_pkey on users; the step would do nothing and its rollback would drop it",
      ],
    ]);
  });

  it("allows a free name, a name a step drops first, and says nothing without discovery", () => {
    expect(
      codes([action("a", "create_index", { table: "users", columns: ["email"], name: "users_email_idx" })]),
    ).toEqual([]);
    expect(
      codes([
        action("a", "drop_index", { name: "users_pkey" }),
        action("b", "create_index", { table: "users", columns: ["id"], name: "users_pkey" }),
      ]),
    ).not.toContain("MA506");
    expect(
      codes([action("a", "create_index", { table: "users", columns: ["email"], name: "users_pkey" })], false),
    ).toEqual([]);
  });
});

describe("MA505 names that do not exist", () => {
  it("flags a missing table and a missing column, at the param", () => {
    const found = lint([
      action("a", "drop_column", { table: "userz", column: "email" }),
      action("b", "drop_column", { table: "users", column: "phnoe" }),
      action("c", "create_index", { table: "orders", columns: ["status", "nope"] }),
    ]);
    expect(found.map((d) => [d.code, d.severity, d.path.slice(5).join("."), d.message])).toEqual([
      [
        "MA505",
        "error",
        "params.table",
        "step 'a': there is no table userz in the database, and no step creates it",
      ],
      ["MA505", "error", "params.column", "step 'b': users has no column phnoe, and no step creates it"],
      ["MA505", "error", "params.columns.1", "step 'c': orders has no column nope, and no step creates it"],
    ]);
  });

  it("says when the name is a view's, and checks foreign-key references", () => {
    expect(
      only([action("a", "set_not_null", { table: "order_summaries", column: "id" })], "MA505")[0]?.message,
    ).toBe("step 'a': order_summaries is a view, not a table");
    const fk = { table: "orders", columns: ["user_id"], references: { table: "users", columns: ["uid"] } };
    expect(only([action("a", "add_foreign_key", fk)], "MA505")[0]?.path.slice(-3)).toEqual([
      "references",
      "columns",
      0,
    ]);
  });

  it("knows what earlier steps create, and says nothing without discovery", () => {
    const steps = [
      action("t", "create_table", {
        table: "audit",
        columns: [{ name: "id", type: "bigint" }],
        primary_key: ["id"],
      }),
      action("i", "create_index", { table: "audit", columns: ["id"] }),
      action("c", "add_column", { table: "users", column: { name: "nick", type: "text" } }),
      action("n", "set_not_null", { table: "users", column: "nick" }),
      sql("s", "ALTER TABLE users ADD COLUMN tier int"),
      action("x", "create_index", { table: "users", columns: ["tier"] }),
    ];
    expect(only(steps, "MA505")).toEqual([]);
    expect(only([action("a", "drop_column", { table: "userz", column: "x" })], "MA505", false)).toEqual([]);
  });

  it("knows the shadow column an alter_column_type expand creates, for the backfill step that fills it", () => {
    const type = { table: "orders", column: "total_cents", type: "bigint" };
    const fill = action("b", "backfill", {
      table: "orders",
      set: { total_cents_ma_new: "total_cents::bigint" },
      where: "total_cents_ma_new IS DISTINCT FROM total_cents::bigint",
    });
    const steps = [
      action("e", "alter_column_type", { ...type, stage: "expand", backfill: false }),
      fill,
      action("c", "alter_column_type", { ...type, stage: "contract" }),
    ];
    expect(only(steps, "MA505")).toEqual([]);
    // Without the expand, nothing creates the shadow; the contract alone does not either.
    expect(only([fill], "MA505").map((d) => d.message)).toEqual([
      "step 'b': orders has no column total_cents_ma_new, and no step creates it",
    ]);
    expect(only([fill, steps[2] as Step], "MA505")).toHaveLength(1);
  });
});

describe("the lint and the rest of validate", () => {
  it("applies a discovery to its own component only", () => {
    const bp = blueprint({
      p1: [step("a", { component: "other-db", params: { sql: "CREATE INDEX ON empty_log (id)" } })],
    });
    bp.source_state.components = [
      ...bp.source_state.components,
      { id: "other-db", kind: "postgres", connection: "x" },
    ];
    const found = validateBlueprint(bp, { discovery: new Map([["app-db", DISCOVERY]]) }).diagnostics;
    expect(found.find((d) => d.code === "MA601")?.message).toContain("its size is unknown");
  });

  it("ignores a discovery of another shape", () => {
    const discovery = new Map([["app-db", { kind: "shell", cwd: "/" }]]);
    const found = validateBlueprint(
      blueprint({ p1: [action("a", "drop_column", { table: "userz", column: "x" })] }),
      {
        discovery,
      },
    ).diagnostics;
    expect(found.filter((d) => d.code === "MA505")).toEqual([]);
  });

  it("makes the blueprint invalid only through its errors (MA505, MA606)", () => {
    const warn = validateBlueprint(blueprint({ p1: [sql("a", "CREATE INDEX ON orders (status)")] }), {
      discovery: new Map([["app-db", DISCOVERY]]),
    });
    expect(warn.valid).toBe(true);
    const error = validateBlueprint(
      blueprint({ p1: [action("a", "drop_column", { table: "users", column: "email" })] }),
      {
        discovery: new Map([["app-db", DISCOVERY]]),
      },
    );
    expect(error.diagnostics.some((d) => d.code === "MA606")).toBe(true);
    expect(error.valid).toBe(false);
  });
});
