import { describe, expect, it } from "vitest";
import { ConnectionReferenceError, redactConnection, resolveConnection } from "./connection-string.js";

describe("resolveConnection", () => {
  it.each([
    ["postgres://app@db:5432/shop", { kind: "postgres", describe: "postgres://app@db:5432/shop" }],
    ["postgresql://app:pw@db/shop", { kind: "postgres", describe: "postgresql://app:***@db/shop" }],
    ["pglite:memory", { kind: "pglite-memory", describe: "pglite:memory" }],
    ["pglite:./state/db", { kind: "pglite-file", path: "./state/db", describe: "pglite:./state/db" }],
  ])("%s", (reference, expected) => {
    expect(resolveConnection(reference, {})).toMatchObject(expected);
  });

  it("reads env:NAME from the env passed in, and says where the URL came from", () => {
    const target = resolveConnection("env:DATABASE_URL", { DATABASE_URL: "postgres://app:s3cr3t@db/shop" });
    expect(target).toEqual({
      kind: "postgres",
      url: "postgres://app:s3cr3t@db/shop",
      describe: "postgres://app:***@db/shop (from env:DATABASE_URL)",
    });
  });

  it("names the variable when it is unset", () => {
    expect(() => resolveConnection("env:SHOP_DB", {})).toThrow(
      new ConnectionReferenceError("environment variable SHOP_DB is not set (the connection is env:SHOP_DB)"),
    );
  });

  it.each([
    [undefined, /no connection given/],
    ["mysql://root@db/x", /not a connection reference: 'mysql:\/\/root@db\/x'/],
    ["env:1BAD", /not an environment variable reference/],
    ["pglite:", /needs a path/],
  ])("refuses %s", (reference, message) => {
    expect(() => resolveConnection(reference, {})).toThrow(message);
  });

  it("never puts a password in an error, even from a malformed URL in env", () => {
    const env = { A: "postgres://app:hunter2@db:bad-port/x", B: "env:A", C: "ftp://u:hunter2@h/" };
    for (const ref of ["env:A", "env:B", "env:C"]) {
      let message = "";
      try {
        resolveConnection(ref, env);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toBe("");
      expect(message).not.toContain("hunter2");
    }
  });
});

describe("redactConnection", () => {
  it.each([
    ["postgres://user:secret@host", "postgres://user:***@host"],
    [
      "postgres://user:secret@host:5432/db?sslmode=require",
      "postgres://user:***@host:5432/db?sslmode=require",
    ],
    ["failed: postgresql://u:p@ss@h/d (timeout)", "failed: postgresql://u:***@h/d (timeout)"],
    ["postgres://user@host/db", "postgres://user@host/db"],
    ["postgres://host:5432/db", "postgres://host:5432/db"],
    ["postgres://u@h/db?password=abc&x=1", "postgres://u@h/db?password=***&x=1"],
    ["host=db password=hunter2 user=app", "host=db password=*** user=app"],
    ["host=db password='two words' user=app", "host=db password='***' user=app"],
    ['{"password": "pw"}', '{"password": "***"}'],
    ["PGPASSWORD=pw sslpassword=x", "PGPASSWORD=*** sslpassword=***"],
    ['url "postgres://a:b@c/d"', 'url "postgres://a:***@c/d"'],
  ])("%s", (input, output) => {
    expect(redactConnection(input)).toBe(output);
  });
});
