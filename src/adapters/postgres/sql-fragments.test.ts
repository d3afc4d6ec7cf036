import { describe, expect, it } from "vitest";
import { addColumn } from "./actions/add-column.js";
import { dropColumn } from "./actions/drop-column.js";
import { restoreColumn } from "./actions/restore-column.js";
import { Identifier, qualify, quoteIdent, quoteLiteral } from "./identifiers.js";
import { SqlExpression, SqlType } from "./sql-fragments.js";

describe("identifiers", () => {
  it.each(["users", "email_address", "_x", "Orders2", "a$b", "x".repeat(63)])("accepts %s", (name) => {
    expect(Identifier.safeParse(name).success).toBe(true);
  });

  it.each([
    "users; DROP TABLE x",
    '"a""b"',
    'a"b',
    "a b",
    "1users",
    "",
    "users--",
    "x".repeat(64),
    "é".repeat(32),
    "users\u0000",
  ])("rejects %j", (name) => {
    expect(Identifier.safeParse(name).success).toBe(false);
  });

  it("quotes whatever it is given, doubling quotes", () => {
    expect(quoteIdent("users")).toBe('"users"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent("users; DROP TABLE x")).toBe('"users; DROP TABLE x"');
    expect(qualify("public", 'a"b')).toBe('"public"."a""b"');
    expect(() => quoteIdent("a\u0000")).toThrow(/NUL/);
    expect(quoteLiteral("it's a \\ path")).toBe("E'it''s a \\\\ path'");
  });

  it.each([
    [addColumn, { table: "users; DROP TABLE x", column: { name: "c", type: "text" } }],
    [addColumn, { table: "users", column: { name: '"a""b"', type: "text" } }],
    [addColumn, { table: "users", column: { name: "c", type: "text" }, schema: "public; DROP TABLE x" }],
    [dropColumn, { table: "users", column: "users; DROP TABLE x" }],
    [dropColumn, { table: '"a""b"', column: "email" }],
    [restoreColumn, { table: "users", column: '"a""b"' }],
  ])("action params refuse injected identifiers: %#", (action, params) => {
    const parsed = action.params.safeParse(params);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/plain PostgreSQL identifier/);
  });

  it("action params refuse unknown keys", () => {
    expect(dropColumn.params.safeParse({ table: "users", column: "phone", cascade: true }).success).toBe(
      false,
    );
  });
});

describe("column types", () => {
  it.each([
    "text",
    "bigint",
    "int",
    "varchar(20)",
    "numeric(10,2)",
    "numeric( 10 , 2 )",
    "timestamp with time zone",
    "timestamp(3) with time zone",
    "double precision",
    "character varying(255)",
    "interval day to second",
    "text[]",
    "int[][]",
    "myschema.mytype",
  ])("accepts %s", (type) => {
    expect(SqlType.safeParse(type).success).toBe(true);
  });

  it.each([
    "text; DROP TABLE users",
    "text DEFAULT 1",
    "text NOT NULL",
    "int REFERENCES users",
    "text PRIMARY KEY",
    "int, DROP COLUMN email",
    "text -- comment",
    'varchar(20) COLLATE "C"',
    "numeric(a)",
    "text)",
    "",
    'text"',
  ])("rejects %j", (type) => {
    expect(SqlType.safeParse(type).success).toBe(false);
  });
});

describe("default expressions", () => {
  it.each([
    "now()",
    "'pending'",
    "0",
    "'it''s'",
    "gen_random_uuid()",
    "(1 + 2) * 3",
    "'a;b'",
    "'(' || ')'",
    "ARRAY[1,2]",
  ])("accepts %s", (expr) => {
    expect(SqlExpression.safeParse(expr).success).toBe(true);
  });

  it.each([
    "1; DROP TABLE users",
    "1), DROP COLUMN email, ADD COLUMN z int DEFAULT (1",
    "0 -- x",
    "0 /* x */",
    "$$x$$",
    "E'\\'' ) , DROP COLUMN email",
    "'unterminated",
    "(1",
    "1)",
  ])("rejects %j", (expr) => {
    expect(SqlExpression.safeParse(expr).success).toBe(false);
  });
});
