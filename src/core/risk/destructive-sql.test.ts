import { describe, expect, it } from "vitest";
import { destructiveStatement } from "./destructive-sql.js";

describe("destructiveStatement", () => {
  it.each([
    ["TRUNCATE payments", "TRUNCATE payments"],
    ["delete from users where id > 5", "delete from users where id >"],
    ["SELECT 1; DROP TABLE users;", "DROP TABLE users"],
    ["ALTER TABLE users DROP COLUMN email", "ALTER TABLE users DROP COLUMN email"],
    ["drop schema app cascade", "drop schema app cascade"],
  ])("finds %s", (sql, found) => expect(destructiveStatement(sql)).toBe(found));

  it.each([
    "SELECT 1",
    "ALTER TABLE users ADD COLUMN x int",
    "CREATE INDEX CONCURRENTLY i ON t (a)",
    "DROP INDEX CONCURRENTLY i",
    "-- DROP TABLE users\nSELECT 'TRUNCATE t'",
    "UPDATE users SET x = 1",
  ])("leaves %s alone", (sql) => expect(destructiveStatement(sql)).toBeUndefined());
});
