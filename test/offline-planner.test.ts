import { hostname } from "node:os";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { APP_SCHEMA, pagilaScripts, SMALL_SEED } from "../src/adapters/postgres/backends.contract.js";
import { type PgConnection, pgConnection } from "../src/adapters/postgres/connection.js";
import { pgliteClient } from "../src/adapters/postgres/pglite-client.js";
import { snapshotPostgres } from "../src/adapters/postgres/snapshot.js";
import { adapters } from "../src/adapters/registry.js";
import type { Blueprint } from "../src/core/blueprint/schema.js";
import { validateBlueprint } from "../src/core/validate.js";
import type { ExecutorDeps } from "../src/executor/deps.js";
import { createRun, executeRun } from "../src/executor/executor.js";
import { compareSnapshots } from "../src/executor/session.js";
import { offlinePlanner } from "../src/planner/offline/offline-planner.js";
import type { PlanResult } from "../src/planner/types.js";
import { defaultCatalog } from "../src/services/catalog.js";
import { rollBackConfirmed } from "../src/services/roll-back-confirmed.js";
import { openStore } from "../src/store/open.js";
import type { Store } from "../src/store/types.js";
import { type PlannerDb, plannerDb } from "./support/planner-db.js";

/**
 * The offline planner end to end on PGlite: each intent's blueprint is valid for the core, uses
 * the pattern's actions, runs to completion (the steps the core gates approved, as a person
 * would), and rolls back to the same schema fingerprint and the same checksums as before.
 */

/**
 * Beside the shop: a table with no foreign key and no index on product_id (for add_foreign_key),
 * an index holding the name a new index on reviews(user_id) would take, a table nothing
 * references (for drop_table), and a column without duplicates (for add_unique).
 */
const SETUP = `
CREATE TABLE reviews (
  id         bigserial PRIMARY KEY,
  product_id bigint,
  user_id    bigint NOT NULL,
  stars      integer NOT NULL
);
INSERT INTO reviews (product_id, user_id, stars)
SELECT 1 + g % 10, 1 + g % 30, 1 + g % 5 FROM generate_series(1, 25) g;
CREATE INDEX reviews_user_id_idx ON reviews (user_id, stars);
CREATE TABLE audit_log (id bigserial PRIMARY KEY, message text NOT NULL);
INSERT INTO audit_log (message) SELECT 'event ' || g FROM generate_series(1, 12) g;
ALTER TABLE users ADD COLUMN referral_code text;
UPDATE users SET referral_code = 'REF-' || id;
ANALYZE;
`;

const NOW = new Date("2026-11-25T10:00:00Z");
const catalog = defaultCatalog();

let db: PlannerDb;
let store: Store;
let connection: PgConnection;
let deps: ExecutorDeps;

beforeAll(async () => {
  db = await plannerDb([APP_SCHEMA, SMALL_SEED, SETUP]);
  store = await openStore({ stateDir: ":memory:" });
  connection = pgConnection(pgliteClient(db.shared.db, { owned: false }), "pglite:test", { kind: "memory" });
  deps = { store, adapters, env: {}, holder: `pid ${process.pid}@${hostname()} (test)` };
});
afterAll(async () => {
  await store?.close();
  await db?.close();
});
// Every test starts from the state the last one rolled back to; discovery is read afresh.
beforeEach(() => db.system.refresh());

async function plan(request: string): Promise<PlanResult> {
  return offlinePlanner().plan({ request, system: db.system, catalog, now: NOW });
}

/** Plans, checks the blueprint with the core, and returns it with the steps the core gates. */
async function validPlan(
  request: string,
): Promise<{ blueprint: Blueprint; gated: string[]; notes: string[] }> {
  const result = await plan(request);
  if (result.kind !== "blueprint") throw new Error(`refused: ${result.reason}`);
  const discovery = new Map([["app-db", await db.system.discover("app-db")]]);
  const validation = validateBlueprint(result.blueprint, { catalog, discovery });
  const errors = validation.diagnostics.filter((d) => d.severity === "error");
  expect(errors, JSON.stringify(errors, null, 2)).toEqual([]);
  expect(validation.valid).toBe(true);
  expect(result.valid).toBe(true);
  for (const step of result.blueprint.phases.flatMap((p) => p.steps))
    expect(step.rollback, `${step.id} has a rollback`).toBeDefined();
  const gated = validation.analysis.steps
    .filter((s) => validation.analysis.approvals[s.index])
    .map((s) => s.step.id);
  return { blueprint: result.blueprint, gated, notes: result.notes };
}

const actionsOf = (b: Blueprint) => b.phases.flatMap((p) => p.steps.map((s) => s.action));
const phasesOf = (b: Blueprint) => b.phases.map((p) => `${p.id}${p.pattern ? ` (${p.pattern})` : ""}`);

/**
 * Runs the blueprint (gated steps approved up front), then rolls all of it back, confirming each
 * level-1 rollback step as the person would; returns how each ended and what differs from before.
 */
async function runAndRollBack(blueprint: Blueprint, gated: readonly string[], on = connection) {
  const snapshot = async () => ({ "app-db": await snapshotPostgres(on, "app-db") });
  const before = await snapshot();
  const run = await createRun(deps, blueprint, { approve: gated, approvedBy: "the test" });
  const done = await executeRun(deps, run.id);
  const applied = await snapshot();
  const { run: back, confirmed } = await rollBackConfirmed(deps, run.id, "the test");
  const after = await snapshot();
  const events = await store.events(run.id);
  const failures = events
    .filter((e) => /fail/.test(e.type))
    .map((e) => `${e.type} ${e.step_id ?? e.check_id ?? ""}: ${JSON.stringify(e.data)}`);
  return {
    ran: done.status,
    rolledBack: back.status,
    changed: compareSnapshots(before, applied).length > 0,
    differences: compareSnapshots(before, after),
    failures,
    confirmed,
  };
}

/** Runs and rolls back; expects both to end well and the database to be as it was. */
async function expectRoundTrip(
  blueprint: Blueprint,
  gated: readonly string[],
): Promise<{ confirmed: string[] }> {
  const outcome = await runAndRollBack(blueprint, gated);
  expect(outcome.failures, outcome.failures.join("\n")).toEqual([]);
  expect(outcome.ran).toBe("completed");
  expect(outcome.changed, "the run changed the database").toBe(true);
  expect(outcome.rolledBack).toBe("rolled_back");
  expect(outcome.differences).toEqual([]);
  return outcome;
}

describe("offline planner: plan, run and roll back on PGlite", () => {
  it("adds a required column with a STABLE default (now()) in one step: the value is stored once", async () => {
    const { blueprint } = await validPlan(
      "add a required timestamptz column last_seen_at to users, default now()",
    );
    expect(actionsOf(blueprint)).toEqual(["postgres.add_column"]);
    expect(blueprint.phases[0]?.steps[0]?.params).toMatchObject({
      column: { name: "last_seen_at", type: "timestamptz", nullable: false, default: "now()" },
    });
  });

  it("adds a required column with a volatile default: nullable, default, backfill, then NOT NULL", async () => {
    const { blueprint, gated } = await validPlan(
      "add a required uuid column public_id to users, default gen_random_uuid()",
    );
    expect(phasesOf(blueprint)).toEqual([
      "expand (expand-contract)",
      "backfill",
      "contract (expand-contract)",
    ]);
    expect(actionsOf(blueprint)).toEqual([
      "postgres.add_column",
      "postgres.sql",
      "postgres.backfill",
      "postgres.set_not_null",
    ]);
    await expectRoundTrip(blueprint, gated);
  });

  it("sets NOT NULL after filling the NULLs", async () => {
    const { blueprint, gated } = await validPlan(
      "users.phone must not be null, fill missing ones with 'unknown'",
    );
    expect(phasesOf(blueprint)).toEqual(["require (expand-contract)"]);
    expect(actionsOf(blueprint)).toEqual(["postgres.backfill", "postgres.set_not_null"]);
    await expectRoundTrip(blueprint, gated);
  });

  it("adds a foreign key, building the missing index on the referencing column first", async () => {
    const { blueprint, gated, notes } = await validPlan("reviews.product_id should reference products");
    expect(phasesOf(blueprint)).toEqual(["foreign-key"]);
    expect(actionsOf(blueprint)).toEqual(["postgres.create_index", "postgres.add_foreign_key"]);
    expect(notes.join("\n")).toMatch(/reviews\(product_id\) had no index/);
    await expectRoundTrip(blueprint, gated);
  });

  it("adds a CHECK constraint, NOT VALID then VALIDATE", async () => {
    const { blueprint, gated } = await validPlan("add a check on reviews that stars between 1 and 5");
    expect(phasesOf(blueprint)).toEqual(["check"]);
    expect(actionsOf(blueprint)).toEqual(["postgres.add_check_constraint"]);
    expect(blueprint.phases[0]?.steps[0]?.params).toMatchObject({ expression: "stars between 1 and 5" });
    await expectRoundTrip(blueprint, gated);
  });

  it("makes a column unique from an index built concurrently", async () => {
    const { blueprint, gated } = await validPlan("make users.referral_code unique");
    expect(phasesOf(blueprint)).toEqual(["unique"]);
    expect(actionsOf(blueprint)).toEqual(["postgres.add_unique"]);
    await expectRoundTrip(blueprint, gated);
  });

  it("builds a unique index", async () => {
    const { blueprint, gated } = await validPlan("unique index on users(phone)");
    expect(phasesOf(blueprint)).toEqual(["index"]);
    expect(actionsOf(blueprint)).toEqual(["postgres.create_index"]);
    expect(blueprint.phases[0]?.steps[0]?.params).toMatchObject({ columns: ["phone"], unique: true });
    await expectRoundTrip(blueprint, gated);
  });

  it("renames a table, the old name kept as a view until the contract", async () => {
    const { blueprint, gated, notes } = await validPlan("rename table payments to charges");
    expect(phasesOf(blueprint)).toEqual(["expand (expand-contract)", "contract (expand-contract)"]);
    expect(actionsOf(blueprint)).toEqual(["postgres.sql", "postgres.drop_view"]);
    expect(notes.join("\n")).toMatch(/no rename_table action/);
    await expectRoundTrip(blueprint, gated);
  });

  it("moves a column to a new table: create, link, sync, copy, then unsync and drop", async () => {
    const { blueprint, gated } = await validPlan("move users.phone to a new table user_phones");
    expect(phasesOf(blueprint)[0]).toBe("expand (expand-contract)");
    expect(phasesOf(blueprint).at(-1)).toBe("contract (expand-contract)");
    expect(actionsOf(blueprint)).toEqual([
      "postgres.create_table",
      "postgres.add_foreign_key",
      "postgres.sql",
      "postgres.sql",
      "postgres.sql",
      "postgres.drop_column",
    ]);
    expect(gated).toContain("drop-phone");
    await expectRoundTrip(blueprint, gated);
  });

  it("changes a column's type through a shadow column, a backfill and a swap", async () => {
    const { blueprint, gated } = await validPlan("change the type of users.phone to varchar(32)");
    expect(actionsOf(blueprint)).toEqual([
      "postgres.alter_column_type",
      "postgres.backfill",
      "postgres.alter_column_type",
    ]);
    // The contract's undo is level 1: the rollback waits for a person to confirm it.
    expect((await expectRoundTrip(blueprint, gated)).confirmed).toEqual(["contract-phone"]);
  });

  it("a type change run again after it completed: the expand refuses before any change, the run ends rolled back, not failed", async () => {
    const { blueprint, gated } = await validPlan("change the type of users.phone to varchar(32)");
    const snapshot = async () => ({ "app-db": await snapshotPostgres(connection, "app-db") });
    const original = await snapshot();
    const first = await createRun(deps, blueprint, { approve: gated, approvedBy: "the test" });
    expect((await executeRun(deps, first.id)).status).toBe("completed");
    const converted = await snapshot();

    const second = await createRun(deps, blueprint, { approve: gated, approvedBy: "the test" });
    const end = await executeRun(deps, second.id);
    expect(end.status).toBe("rolled_back");
    const expand = (await store.getStepStates(second.id)).find((s) => s.step_id === "expand-phone");
    expect(expand?.state).toBe("failed");
    expect(expand?.detail).toMatchObject({
      changed_nothing: true,
      error: expect.stringMatching(/already contracted/),
    });
    const events = await store.events(second.id);
    expect(events.filter((e) => e.type === "incident").map((e) => String(e.data.what))).not.toContainEqual(
      expect.stringMatching(/rollback of .* failed/),
    );
    expect(events.filter((e) => e.type === "step.rolled_back")).toEqual([]);
    expect(compareSnapshots(converted, await snapshot())).toEqual([]);

    // The first run still rolls back to the original.
    const { run: back } = await rollBackConfirmed(deps, first.id, "the test");
    expect(back.status).toBe("rolled_back");
    expect(compareSnapshots(original, await snapshot())).toEqual([]);
  });

  it("renames a column with expand/contract", async () => {
    const { blueprint, gated } = await validPlan("rename reviews.stars to rating");
    expect(actionsOf(blueprint)).toEqual(["postgres.rename_column", "postgres.rename_column"]);
    expect((await expectRoundTrip(blueprint, gated)).confirmed).toEqual(["contract-stars"]);
  });

  it("stops before anything changes when NOT NULL is asked of a column with NULLs and no fill", async () => {
    const { blueprint, gated } = await validPlan("make users.phone required");
    expect(actionsOf(blueprint)).toEqual(["postgres.set_not_null"]);
    const before = await snapshotPostgres(connection, "app-db");
    const run = await createRun(deps, blueprint, { approve: gated, approvedBy: "the test" });
    const end = await executeRun(deps, run.id);
    expect(end.status).not.toBe("completed");
    const failed = (await store.events(run.id)).filter((e) => e.type === "check.fail").map((e) => e.check_id);
    expect(failed).toContain("no-null-phone");
    expect(compareSnapshots({ db: before }, { db: await snapshotPostgres(connection, "app-db") })).toEqual(
      [],
    );
    // Rolled back on request, it undoes nothing and ends rolled back: the pre-check that still
    // fails was failing before the run, which is not the rollback's doing.
    const { run: back } = await rollBackConfirmed(deps, run.id, "the test");
    expect(back.status).toBe("rolled_back");
    const incident = (await store.events(run.id)).filter((e) => e.type === "incident").at(-1);
    expect(String(incident?.data.post_rollback_checks)).toMatch(/failing as before the run: .*no-null-phone/);
  });

  it("names a new index around one that holds its name, and the rollback leaves that one be", async () => {
    const { blueprint, gated } = await validPlan("index reviews(user_id)");
    expect(blueprint.phases[0]?.steps[0]?.params).toMatchObject({ name: "reviews_user_id_idx_2" });
    await expectRoundTrip(blueprint, gated);
  });

  it("drops a table nothing references, archived and gated", async () => {
    const { blueprint, gated } = await validPlan("drop the table audit_log");
    expect(phasesOf(blueprint)).toEqual(["contract (expand-contract)"]);
    expect(actionsOf(blueprint)).toEqual(["postgres.drop_table"]);
    expect(gated).toEqual(["drop-audit_log"]);
    await expectRoundTrip(blueprint, gated);
  });
});

describe("offline planner: refusals say why", () => {
  it("refuses to drop a column a view reads, naming the view", async () => {
    const result = await plan("drop users.email");
    expect(result.kind).toBe("refusal");
    if (result.kind === "refusal") expect(result.reason).toMatch(/order_summaries reads users\.email/);
  });

  it("refuses a required column without a default on a table with rows, saying to give one", async () => {
    const result = await plan("add a required integer column score to users");
    expect(result.kind).toBe("refusal");
    if (result.kind === "refusal") expect(result.reason).toMatch(/rows users already has: say which default/);
  });

  it("refuses to drop a table other tables reference", async () => {
    const result = await plan("drop the table products");
    expect(result.kind).toBe("refusal");
    if (result.kind === "refusal")
      expect(result.reason).toMatch(/order_items \(order_items_product_id_fkey\)/);
  });

  // Each of these once planned a step the action found done already ("nothing done"), whose
  // rollback then dropped the table's own constraint.
  it.each([
    ["make products.sku unique", /products\(sku\) is already unique: products_sku_key/],
    ["payments.order_id should reference orders", /already references orders: payments_order_id_fkey/],
    ["add a check on products that price_cents >= 0", /already has CHECK .*: products_price_cents_check/],
  ])("refuses what is there already: %s", async (request, reason) => {
    const result = await plan(request);
    expect(result.kind).toBe("refusal");
    if (result.kind === "refusal") expect(result.reason).toMatch(reason);
  });

  it("refuses a request naming no table, listing what it understands", async () => {
    const result = await plan("make it faster");
    expect(result.kind).toBe("refusal");
    if (result.kind !== "refusal") return;
    expect(result.reason).toMatch(/names no table I can find; the database has .*audit_log/);
    expect(result.understands?.join("\n")).toMatch(/add a column:.*\n.*drop a column or a table/);
    expect(result.understands?.at(-1)).toMatch(/--planner anthropic/);
  });
});

describe("offline planner on pagila", () => {
  let pagila: PlannerDb;
  beforeAll(async () => {
    pagila = await plannerDb(pagilaScripts());
  });
  afterAll(async () => {
    await pagila?.close();
  });

  it("plans an index on the partitioned payment table and says it is partitioned", async () => {
    const result = await offlinePlanner().plan({
      request: "add an index on payment(customer_id, payment_date)",
      system: pagila.system,
      catalog,
      now: NOW,
    });
    if (result.kind !== "blueprint") throw new Error(`refused: ${result.reason}`);
    expect(result.valid).toBe(true);
    expect(actionsOf(result.blueprint)).toEqual(["postgres.create_index"]);
    expect(result.blueprint.phases[0]?.steps[0]?.params).toMatchObject({
      table: "payment",
      columns: ["customer_id", "payment_date"],
    });
    expect(result.notes.join("\n")).toMatch(/payment is partitioned \(.*payment_date.*\).* partitions/);
    const discovery = new Map([["app-db", await pagila.system.discover("app-db")]]);
    const validation = validateBlueprint(result.blueprint, { catalog, discovery });
    const gated = validation.analysis.steps
      .filter((s) => validation.analysis.approvals[s.index])
      .map((s) => s.step.id);
    const on = pgConnection(pgliteClient(pagila.shared.db, { owned: false }), "pglite:pagila", {
      kind: "memory",
    });
    const outcome = await runAndRollBack(result.blueprint, gated, on);
    expect(outcome.failures, outcome.failures.join("\n")).toEqual([]);
    expect(outcome.ran).toBe("completed");
    expect(outcome.rolledBack).toBe("rolled_back");
    expect(outcome.differences).toEqual([]);
  });
});

describe("offline planner and partitions' foreign keys", () => {
  let db: PlannerDb;
  beforeAll(async () => {
    // Only a partition references parent_ref: its foreign key is a reference like any other.
    db = await plannerDb([
      `CREATE TABLE parent_ref (id int PRIMARY KEY);
       CREATE TABLE events (id int, ref int, at date NOT NULL) PARTITION BY RANGE (at);
       CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
       ALTER TABLE events_2024 ADD CONSTRAINT events_2024_ref_fkey FOREIGN KEY (ref) REFERENCES parent_ref (id);`,
    ]);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("refuses to drop a table a partition references, naming it", async () => {
    const result = await offlinePlanner().plan({
      request: "drop the table parent_ref",
      system: db.system,
      catalog,
      now: NOW,
    });
    expect(result.kind).toBe("refusal");
    if (result.kind === "refusal") {
      expect(result.reason).toBe(
        "events_2024 (events_2024_ref_fkey) references parent_ref: drop those foreign keys first",
      );
    }
  });
});
