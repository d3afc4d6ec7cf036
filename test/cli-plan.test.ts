import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_SCHEMA, SMALL_SEED } from "../src/adapters/postgres/backends.contract.js";
import { acquirePglite, type SharedPglite } from "../src/adapters/postgres/pglite-shared.js";
import { cli } from "./support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "ma-cli-plan-"));
const db = join(dir, "shop");
const target = `app-db=pglite:${db}`;
let shared: SharedPglite;

beforeAll(async () => {
  shared = await acquirePglite({ kind: "file", path: db });
  await shared.db.exec(APP_SCHEMA);
  await shared.db.exec(SMALL_SEED);
});
afterAll(async () => shared.release());

describe("plan", () => {
  it("plans from a sentence, prints the summary and writes a blueprint that validates", async () => {
    const out = join(dir, "nickname.yaml");
    const r = await cli(
      "plan",
      "add a nullable text column nickname to users",
      "--target",
      target,
      "--out",
      out,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("postgres.add_column");
    expect(r.stdout).toContain("Critical path");
    expect(r.stdout).toContain(`valid blueprint written to ${out}`);
    expect(existsSync(out)).toBe(true);
    const validate = await cli("validate", out);
    expect(validate.code).toBe(0);
  });

  it("refuses an unsafe request with the reason, exit 1", async () => {
    const r = await cli(
      "plan",
      "truncate the payments table now",
      "--target",
      target,
      "--out",
      join(dir, "no.yaml"),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused .*TRUNCATE destroys every row/);
    expect(existsSync(join(dir, "no.yaml"))).toBe(false);
  });

  it("lists what it understands when it does not understand", async () => {
    const r = await cli("plan", "make everything faster", "--target", target);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("I understand:");
    expect(r.stderr).toContain("--planner anthropic");
  });

  it("says what is wrong with a bad --planner or --target, exit 2", async () => {
    const planner = await cli("plan", "index users(phone)", "--target", target, "--planner", "gpt");
    expect(planner.code).toBe(2);
    expect(planner.stderr).toContain("unknown planner 'gpt'");
    const bad = await cli("plan", "index users(phone)", "--target", "mysql://x");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("[ID=]REFERENCE");
    // Without a key (as in CI), the anthropic planner says what to set; with one, it would call the API.
    if (!process.env.ANTHROPIC_API_KEY) {
      const key = await cli("plan", "index users(phone)", "--target", target, "--planner", "anthropic");
      expect(key.code).toBe(2);
      expect(key.stderr).toContain("ANTHROPIC_API_KEY");
    }
  });

  it("--run --yes runs the plan it made", async () => {
    const r = await cli(
      "plan",
      "index users(phone)",
      "--target",
      target,
      "--out",
      join(dir, "index.yaml"),
      "--run",
      "--yes",
      "--state",
      join(dir, "state"),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run run-\S+: completed/);
    const { rows } = await shared.db.query(
      "SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'users_phone_idx'",
    );
    expect(rows).toEqual([{ n: 1 }]);
  });
});
