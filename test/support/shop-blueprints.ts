import type { Blueprint, HealthCheck, Step } from "../../src/core/blueprint/schema.js";

/**
 * Blueprints on the shop database (test/support/shop-databases.ts) for the executor's
 * integration tests, with real steps in every phase and failures that can be injected where a
 * test wants them. The component is `shop-db`, reached through `env:SHOP_DB_URL`.
 */

export const SHOP_COMPONENT = { id: "shop-db", kind: "postgres", connection: "env:SHOP_DB_URL" };

const sql = (id: string, text: string, undo: string): Step => ({
  id,
  name: id,
  component: "shop-db",
  action: "postgres.sql",
  params: { sql: text },
  rollback: { action: "postgres.sql", params: { sql: undo } },
  estimated_duration: "1s",
  downtime: "0s",
});

const action = (id: string, name: string, params: Record<string, unknown>): Step => ({
  id,
  name: id,
  component: "shop-db",
  action: name,
  params,
  rollback: { inverse: true },
  estimated_duration: "1s",
  downtime: "0s",
});

const check = (
  id: string,
  stage: HealthCheck["stage"],
  type: HealthCheck["type"],
  params?: Record<string, unknown>,
): HealthCheck => ({ id, type, stage, component: "shop-db", ...(params ? { params } : {}) });

export const PHASES = ["p1", "p2", "p3", "p4"] as const;
export type PhaseId = (typeof PHASES)[number];

/** The two steps of each phase, in the order they run (the first is an edge before the second). */
export const PHASE_STEPS: Record<PhaseId, [string, string]> = {
  p1: ["add-email-verified", "add-shipped-at"],
  p2: ["fill-email-verified", "fill-shipped-at"],
  p3: ["index-email-verified", "drop-phone"],
  p4: ["create-shipments", "fill-shipments"],
};

/** Steps whose risk needs an approval up front (drop_column is a contract step). */
export const RISKY_STEPS = ["drop-phone"];

const STEPS: Record<PhaseId, [Step, Step]> = {
  // expand: two nullable columns
  p1: [
    action("add-email-verified", "postgres.add_column", {
      table: "users",
      column: { name: "email_verified", type: "boolean", nullable: true },
    }),
    action("add-shipped-at", "postgres.add_column", {
      table: "orders",
      column: { name: "shipped_at", type: "timestamptz", nullable: true },
    }),
  ],
  // backfill them
  p2: [
    sql(
      "fill-email-verified",
      "UPDATE users SET email_verified = (id % 2 = 0) WHERE email_verified IS NULL",
      "UPDATE users SET email_verified = NULL",
    ),
    sql(
      "fill-shipped-at",
      "UPDATE orders SET shipped_at = created_at + interval '2 days' WHERE status = 'shipped' AND shipped_at IS NULL",
      "UPDATE orders SET shipped_at = NULL",
    ),
  ],
  // index the new column, contract the old one (drop with a backup; restore_column undoes it)
  p3: [
    sql(
      "index-email-verified",
      "CREATE INDEX IF NOT EXISTS users_email_verified_idx ON users (email_verified)",
      "DROP INDEX IF EXISTS users_email_verified_idx",
    ),
    action("drop-phone", "postgres.drop_column", { table: "users", column: "phone" }),
  ],
  // a new table, filled from the backfilled column
  p4: [
    sql(
      "create-shipments",
      "CREATE TABLE IF NOT EXISTS shipments (id bigserial PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders(id), shipped_at timestamptz NOT NULL)",
      "DROP TABLE IF EXISTS shipments",
    ),
    sql(
      "fill-shipments",
      "INSERT INTO shipments (order_id, shipped_at) SELECT o.id, o.shipped_at FROM orders o WHERE o.shipped_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id) ORDER BY o.id",
      "DELETE FROM shipments",
    ),
  ],
};

/** Intra checks that pass after each phase: the phase's effect is in place. */
const INTRA: Record<PhaseId, HealthCheck> = {
  p1: check("p1-columns-added", "intra", "functional", {
    sql: "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND ((table_name = 'users' AND column_name = 'email_verified') OR (table_name = 'orders' AND column_name = 'shipped_at'))",
    expect: 2,
  }),
  p2: check("p2-all-filled", "intra", "data_integrity", {
    sql: "SELECT count(*) = 0 FROM users WHERE email_verified IS NULL",
  }),
  p3: check("p3-phone-gone", "intra", "functional", {
    sql: "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'users' AND column_name = 'phone'",
    expect: 0,
  }),
  p4: check("p4-shipments", "intra", "data_integrity", { table: "shipments", expect_rows: 10 }),
};

/** Where a failure is injected: a step of the phase, an intra check of the phase, a post check. */
export type Injection = { phase: PhaseId; kind: "step" | "intra" | "post" };

export const boomId = (phase: PhaseId) => `boom-${phase}`;

/**
 * The four-phase migration of the shop: p1 adds users.email_verified and orders.shipped_at, p2
 * backfills them, p3 indexes email_verified and drops users.phone (with its backup), p4 creates
 * and fills `shipments`. Each phase's two steps run one after the other; phases are ordered by
 * edges. With an injection:
 * - `step`: a `postgres.sql` step that raises sits between the phase's two steps (the first has
 *   run, the second never starts);
 * - `intra`: the phase gets an intra check that fails (a wrong row count);
 * - `post`: the phase declares a post check that fails (post checks run after the last phase).
 */
export function shopMigration(injection?: Injection): Blueprint {
  const edges: { from: string; to: string }[] = [];
  const phases = PHASES.map((id, index) => {
    const [first, second] = STEPS[id];
    const steps: Step[] = [first, second];
    const checks: HealthCheck[] = [INTRA[id]];
    if (injection?.phase === id && injection.kind === "step") {
      const boom = sql(
        boomId(id),
        `DO $$ BEGIN RAISE EXCEPTION 'injected failure in phase ${id}'; END $$`,
        "SELECT 1",
      );
      steps.splice(1, 0, boom);
      edges.push({ from: first.id, to: boom.id }, { from: boom.id, to: second.id });
    } else {
      edges.push({ from: first.id, to: second.id });
    }
    if (injection?.phase === id && injection.kind === "intra") {
      checks.push(
        check(`injected-intra-${id}`, "intra", "data_integrity", { table: "orders", expect_rows: 999 }),
      );
    }
    if (injection?.phase === id && injection.kind === "post") {
      checks.push(
        check(`injected-post-${id}`, "post", "functional", { sql: "SELECT count(*) FROM users", expect: 0 }),
      );
    }
    if (index === 0) {
      checks.unshift(
        check("db-up", "pre", "connectivity"),
        check("users-there", "pre", "data_integrity", { table: "users", expect_rows: 30 }),
      );
    }
    if (index === PHASES.length - 1) {
      checks.push(
        check("summaries-work", "post", "functional", {
          sql: "SELECT count(*) FROM order_summaries",
          expect: 40,
        }),
      );
    }
    const next = PHASES[index + 1];
    if (next) edges.push({ from: second.id, to: STEPS[next][0].id });
    return { id, name: `phase ${id}`, steps, health_checks: checks };
  });
  return {
    id: `bp-shop-${injection ? `${injection.kind}-${injection.phase}` : "ok"}`,
    name: "Shop: verified emails, shipping dates, no phone numbers",
    version: "1.0",
    created_at: "2026-11-25T10:00:00Z",
    source_state: { components: [SHOP_COMPONENT] },
    target_state: { components: [SHOP_COMPONENT] },
    phases,
    dependency_graph: { edges },
  };
}

/**
 * A small blueprint for CLI runs: `steps` in one phase, in a chain, with a connectivity pre check.
 * `connection` replaces the component's reference (`env:SHOP_DB_URL`).
 */
export function shopBlueprint(
  id: string,
  steps: Step[],
  checks: HealthCheck[] = [],
  connection = SHOP_COMPONENT.connection,
): Blueprint {
  const edges = steps.slice(1).map((s, i) => ({ from: steps[i]?.id ?? "", to: s.id }));
  const component = { ...SHOP_COMPONENT, connection };
  return {
    id,
    name: id,
    version: "1.0",
    created_at: "2026-11-25T10:00:00Z",
    source_state: { components: [component] },
    target_state: { components: [component] },
    phases: [
      {
        id: "only",
        name: "the only phase",
        steps,
        health_checks: [check("db-up", "pre", "connectivity"), ...checks],
      },
    ],
    dependency_graph: { edges },
  };
}

export { action as shopAction, check as shopCheck, sql as shopSql };
