import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { acquirePglite } from "../src/adapters/postgres/pglite-shared.js";
import { cli } from "./support/cli.js";

const ROOT = join(import.meta.dirname, "..");
const BLUEPRINT = join(ROOT, "examples/demo/blueprint.yaml");
const dir = mkdtempSync(join(tmpdir(), "ma-cli-run-"));
const state = join(dir, "state");
let release: () => Promise<void>;

beforeAll(async () => {
  // The demo's shop schema with a few hundred rows, in an embedded database the CLI shares.
  const db = join(dir, "shop");
  const shared = await acquirePglite({ kind: "file", path: db });
  release = shared.release;
  await shared.db.exec(readFileSync(join(ROOT, "evals/fixtures/app/app-schema.sql"), "utf8"));
  await shared.db.exec(`
    INSERT INTO users (email, full_name) SELECT 'u' || g || '@example.com', 'U ' || g FROM generate_series(1, 300) g;
    INSERT INTO orders (user_id, total_cents) SELECT 1 + g % 300, g FROM generate_series(1, 600) g;
    CREATE TABLE client_log (id bigserial PRIMARY KEY, note text);`);
  process.env.DEMO_DATABASE_URL = `pglite:${db}`;
});

afterAll(async () => {
  await release();
  delete process.env.DEMO_DATABASE_URL;
});

describe("run, status, report, rollback", () => {
  let runId = "";

  it("--dry-run prints the plan and touches nothing", async () => {
    const r = await cli("run", BLUEPRINT, "--dry-run", "--state", state);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Critical path");
    expect(r.stdout).toContain("dry run: nothing was touched");
    expect(existsSync(state)).toBe(false);
  });

  it("runs a blueprint to completion, one JSON event per line", async () => {
    const r = await cli("run", BLUEPRINT, "--state", state, "--json");
    expect(r.code).toBe(0);
    const events = r.stdout.split("\n").map((line) => JSON.parse(line));
    runId = events[0].run_id;
    expect(
      events.every((e) => e.run_id === runId && typeof e.seq === "number" && typeof e.at === "string"),
    ).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.type).toBe("run.completed");
    expect(events.filter((e) => e.type === "step.succeeded").map((e) => e.step_id)).toEqual(
      expect.arrayContaining([
        "add-email-verified",
        "add-shipped-at",
        "backfill-email-verified",
        "index-email-verified",
      ]),
    );
  });

  it("shows the run in status and in its report", async () => {
    const list = await cli("status", "--state", state, "--json");
    expect(JSON.parse(list.stdout).map((x: { id: string }) => x.id)).toContain(runId);
    const one = await cli("status", runId, "--state", state);
    expect(one.stdout).toContain(`run ${runId}: completed`);
    const report = await cli("report", runId, "--state", state);
    expect(report.stdout).toContain(`# Run ${runId}`);
    expect(report.stdout).toContain("| backfill | backfill-email-verified | postgres.backfill | succeeded |");
    expect(report.stdout).toContain("## Health checks");
    const json = JSON.parse((await cli("report", runId, "--state", state, "--json")).stdout);
    expect(json.run.status).toBe("completed");
  });

  it("rolls the run back to the source on request, verified", async () => {
    const r = await cli("rollback", runId, "--state", state);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("state matches checkpoint source");
    expect(r.stdout).toContain(`run ${runId}: rolled_back`);
  });

  it("refuses unknown runs and half-said approvals", async () => {
    expect((await cli("status", "run-nope", "--state", state)).code).toBe(2);
    const approve = await cli("approve", runId, "--state", state);
    expect(approve.code).toBe(2);
    expect(approve.stderr).toContain("--step ID");
  });
});

describe("status of a run that waits for a person", () => {
  it("shows the step it waits on with its approval code (what the person gives an assistant)", async () => {
    const strict = join(dir, "strict.yaml");
    const text = readFileSync(BLUEPRINT, "utf8");
    const doc = parse(text);
    doc.blueprint.constraints = { ...(doc.blueprint.constraints ?? {}), require_approval_above: 0 };
    writeFileSync(strict, stringify(doc));
    const waitingState = join(dir, "waiting-state");
    const started = await cli("run", strict, "--state", waitingState, "--json");
    expect(started.code).toBe(3);
    const runId = JSON.parse(started.stdout.split("\n")[0] as string).run_id as string;
    const status = await cli("status", runId, "--state", waitingState);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      /waits for your approval of \S+ \(postgres\.\w+ on \S+, risk [\d.]+\): approval code [0-9a-f]{16}/,
    );
    expect(status.stdout).toContain(`approve: migration-architect approve ${runId} --step`);
    expect((await cli("rollback", runId, "--state", waitingState)).code).toBe(0);
  });
});
