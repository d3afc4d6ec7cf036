import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "./support/cli.js";
import { pgliteShops, type ShopDatabase } from "./support/shop-databases.js";

/**
 * `validate --discover`: the CLI connects to the blueprint's postgres component (a PGlite shop
 * database: 30 users, 40 orders, the view order_summaries reading users.email), discovers it and
 * lints the steps against it.
 */
const dir = mkdtempSync(join(tmpdir(), "ma-validate-discover-"));
const shops = pgliteShops();
let shop: ShopDatabase;

function write(name: string, steps: string, connection = "env:SHOP_DB_URL"): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `blueprint:
  id: bp-discover
  name: lint against the database
  version: "1.0"
  created_at: "2026-11-24T10:00:00Z"
  source_state:
    components: [{ id: shop-db, kind: postgres, connection: "${connection}" }]
  target_state:
    components: [{ id: shop-db, kind: postgres, connection: "${connection}" }]
  phases:
    - id: p1
      name: change
      steps:
${steps}
`,
  );
  return file;
}

const DROP_EMAIL = `        - id: drop-email
          name: drop users.email
          component: shop-db
          action: postgres.drop_column
          params: { table: users, column: email }
          rollback: { inverse: true }
          estimated_duration: 1s
          downtime: 0s`;

const RAW_INDEX = `        - id: index-status
          name: index orders.status
          component: shop-db
          action: postgres.sql
          params: { sql: "CREATE INDEX orders_status_idx ON orders (status)" }
          rollback: { action: postgres.sql, params: { sql: "DROP INDEX orders_status_idx" } }
          estimated_duration: 1s
          downtime: 0s`;

beforeAll(async () => {
  await shops.setup();
  shop = await shops.fresh();
  process.env.SHOP_DB_URL = shop.reference;
}, 60_000);

afterAll(async () => {
  delete process.env.SHOP_DB_URL;
  await shops.teardown();
  rmSync(dir, { recursive: true, force: true });
});

describe("validate --discover", () => {
  it("is in --help", async () => {
    const r = await cli("validate", "--help");
    expect(r.stdout).toContain("--discover");
    expect(r.stdout).toContain("connect to each postgres component");
  });

  it("reports a drop of a column a view reads (MA606, naming the view) and the blueprint is invalid", async () => {
    const file = write("drop-email.yaml", DROP_EMAIL);
    const without = await cli("validate", file);
    expect(without.code).toBe(0);
    expect(without.stdout).not.toContain("MA606");

    const r = await cli("validate", file, "--discover");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("MA606");
    expect(r.stdout).toContain(
      "step 'drop-email' drops users.email, which the view order_summaries reads: replace or drop it in an earlier step",
    );
  });

  it("states the table's figures in the index warning, and says the size is unknown without discovery", async () => {
    const file = write("raw-index.yaml", RAW_INDEX);
    const r = await cli("validate", file, "--discover", "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      valid: boolean;
      diagnostics: { code: string; message: string }[];
    };
    const warning = report.diagnostics.find((d) => d.code === "MA601");
    expect(warning?.message).toMatch(/orders has ~40 rows \(\d+ kB\)/);
    expect(report.diagnostics.map((d) => d.code)).toContain("MA608");

    const without = await cli("validate", file, "--json");
    const plain = JSON.parse(without.stdout) as { diagnostics: { code: string; message: string }[] };
    expect(plain.diagnostics.find((d) => d.code === "MA601")?.message).toContain("its size is unknown");
  });

  it("names a table or column that does not exist (MA505)", async () => {
    const file = write("typo.yaml", DROP_EMAIL.replace("column: email", "column: emial"));
    const r = await cli("validate", file, "--discover");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("MA505");
    expect(r.stdout).toContain("users has no column emial, and no step creates it");
  });

  it("exits 2 and says which component it could not reach", async () => {
    const file = write("unreachable.yaml", DROP_EMAIL, "env:NO_SUCH_VARIABLE_FOR_MA");
    const r = await cli("validate", file, "--discover");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot discover component 'shop-db'");
    expect(r.stdout).not.toContain("MA606");
  });
});
