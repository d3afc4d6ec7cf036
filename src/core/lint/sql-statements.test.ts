import { describe, expect, it } from "vitest";
import { sqlOps } from "./sql-statements.js";
import { sqlStatements, tokensText } from "./sql-tokens.js";

describe("sqlStatements", () => {
  it("splits at semicolons outside strings, quoted names, comments and dollar-quoted bodies", () => {
    const script = `
      -- a comment; with a semicolon
      SELECT 'a;b', "we;ird", E'it\\'s;' /* block; /* nested; */ still */ ;
      CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $body$ CREATE INDEX x ON t (a); $body$;
      SELECT 2`;
    const statements = sqlStatements(script);
    expect(statements).toHaveLength(3);
    expect(statements[0]?.map((t) => t.text)).toEqual(["SELECT", "a;b", ",", "we;ird", ",", "it's;"]);
    expect(statements[1]?.at(-1)).toEqual({ kind: "string", text: " CREATE INDEX x ON t (a); " });
  });

  it("prints tokens back as SQL", () => {
    const [tokens] = sqlStatements(`select gen_random_uuid(), 'it''s', "Mixed Case".x::text`);
    expect(tokensText(tokens ?? [])).toBe(`select gen_random_uuid(), 'it''s', "Mixed Case".x::text`);
  });
});

describe("sqlOps", () => {
  it("recognizes index builds, with or without CONCURRENTLY, a name, a schema, ONLY", () => {
    expect(
      sqlOps(`CREATE INDEX orders_status_idx ON orders (status);
              create unique index concurrently if not exists on shop.Orders (id);
              CREATE INDEX ON ONLY "Payments" USING btree (paid_at)`),
    ).toEqual([
      { op: "create_index", table: { schema: undefined, name: "orders" }, concurrently: false },
      { op: "create_index", table: { schema: "shop", name: "orders" }, concurrently: true },
      { op: "create_index", table: { schema: undefined, name: "Payments" }, concurrently: false },
    ]);
  });

  it("splits an ALTER TABLE into its actions", () => {
    const ops = sqlOps(`ALTER TABLE IF EXISTS ONLY public.users
      ADD COLUMN IF NOT EXISTS ref uuid NOT NULL DEFAULT gen_random_uuid(),
      ADD CONSTRAINT users_phone_nn CHECK (phone IS NOT NULL) NOT VALID,
      ADD FOREIGN KEY (org_id) REFERENCES orgs (id),
      ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx,
      VALIDATE CONSTRAINT users_phone_nn,
      ALTER COLUMN phone SET NOT NULL,
      ALTER full_name SET DATA TYPE varchar(200) USING full_name::varchar(200),
      ALTER COLUMN x SET DEFAULT 1,
      DROP COLUMN IF EXISTS legacy CASCADE,
      DROP CONSTRAINT old_check`);
    const users = { schema: "public", name: "users" };
    expect(ops).toEqual([
      { op: "add_column", table: users, column: "ref", type: "uuid", default: "gen_random_uuid()" },
      {
        op: "add_constraint",
        table: users,
        kind: "check",
        name: "users_phone_nn",
        notValid: true,
        usingIndex: false,
        body: "CHECK(phone IS NOT NULL) NOT VALID",
      },
      expect.objectContaining({
        op: "add_constraint",
        kind: "foreign_key",
        name: undefined,
        notValid: false,
      }),
      expect.objectContaining({ op: "add_constraint", kind: "unique", usingIndex: true }),
      { op: "validate_constraint", table: users, name: "users_phone_nn" },
      { op: "set_not_null", table: users, column: "phone" },
      { op: "alter_type", table: users, column: "full_name", type: "varchar(200)" },
      expect.objectContaining({ op: "other" }),
      { op: "drop_column", table: users, column: "legacy" },
      expect.objectContaining({ op: "other" }),
    ]);
  });

  it("recognizes renames, drops of tables and views, and created tables and views", () => {
    expect(
      sqlOps(`ALTER TABLE users RENAME COLUMN email TO email_address;
              ALTER TABLE users RENAME phone TO mobile;
              ALTER TABLE users RENAME TO customers;
              ALTER TABLE users RENAME CONSTRAINT a TO b;
              DROP TABLE IF EXISTS a, s.b CASCADE;
              DROP MATERIALIZED VIEW v1;
              CREATE OR REPLACE VIEW v2 AS SELECT 1;
              CREATE UNLOGGED TABLE t (id int)`).map((op) => op.op),
    ).toEqual([
      "rename_column",
      "rename_column",
      "rename_table",
      "other",
      "drop_table",
      "drop_view",
      "create_view",
      "create_table",
    ]);
  });

  it("tells read-only statements from the rest", () => {
    const readOnly = (sql: string) => sqlOps(sql).map((op) => op.op === "other" && op.readOnly);
    expect(readOnly("SELECT 1; ANALYZE users; SHOW lock_timeout; EXPLAIN SELECT 1")).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      readOnly(
        "UPDATE users SET a = 1; WITH x AS (DELETE FROM t RETURNING *) SELECT 1; EXPLAIN ANALYZE DELETE FROM t",
      ),
    ).toEqual([false, false, false]);
  });
});
