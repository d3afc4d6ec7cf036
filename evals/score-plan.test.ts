import { describe, expect, it } from "vitest";
import type { Blueprint } from "../src/core/blueprint/schema.js";
import { validateBlueprint } from "../src/core/validate.js";
import { defaultCatalog } from "../src/services/catalog.js";
import { scorePlan } from "./score-plan.js";

const step = (id: string, action: string, params: Record<string, unknown>, level?: 0 | 1 | 2) => ({
  id,
  name: id,
  component: "db",
  action,
  params,
  rollback: level === undefined ? { inverse: true as const } : { inverse: true as const, level },
  downtime: "0s",
});

/** add (phase 1) → backfill → NOT NULL (phase 2), plus an index that depends on nothing. */
const BLUEPRINT: Blueprint = {
  id: "bp",
  name: "scored",
  version: "1.0",
  created_at: "2026-11-25T10:00:00Z",
  source_state: { components: [{ id: "db", kind: "postgres", connection: "env:X" }] },
  target_state: { components: [{ id: "db", kind: "postgres", connection: "env:X" }] },
  phases: [
    {
      id: "expand",
      name: "expand",
      pattern: "expand-contract",
      steps: [
        step("add", "postgres.add_column", { table: "users", column: { name: "v", type: "boolean" } }),
        step("fill", "postgres.backfill", { table: "users", set: { v: "false" } }),
        step("index", "postgres.create_index", { table: "users", columns: ["email"] }),
      ],
    },
    {
      id: "contract",
      name: "contract",
      steps: [
        step("require", "postgres.set_not_null", { table: "users", column: "v" }, 1),
        step("drop", "postgres.drop_table", { table: "audit" }, 2),
      ],
    },
  ],
  dependency_graph: {
    edges: [
      { from: "add", to: "fill" },
      { from: "fill", to: "require" },
    ],
  },
};

function score(expect: Parameters<typeof scorePlan>[0]) {
  const validation = validateBlueprint(BLUEPRINT, { catalog: defaultCatalog() });
  return Object.fromEntries(
    scorePlan(expect, BLUEPRINT, validation.analysis, validation.valid).map((c) => [c.check, c]),
  );
}

describe("scorePlan", () => {
  it("order: holds through transitive dependencies, fails without one, vacuous without the later action", () => {
    const checks = score({
      order: [
        ["postgres.add_column", "postgres.set_not_null"],
        ["postgres.create_index", "postgres.set_not_null"],
        ["postgres.backfill", "postgres.drop_column"],
      ],
    });
    expect(checks["order postgres.add_column → postgres.set_not_null"]?.pass).toBe(true);
    expect(checks["order postgres.create_index → postgres.set_not_null"]).toMatchObject({
      pass: false,
      detail: "require do not depend on a postgres.create_index step",
    });
    expect(checks["order postgres.backfill → postgres.drop_column"]).toMatchObject({
      pass: true,
      detail: "no postgres.drop_column step (holds vacuously)",
    });
  });

  it("approval comes from the core, rollback coverage counts levels 0 and 1, patterns and actions", () => {
    const checks = score({
      approval_required: ["postgres.drop_table", "postgres.create_index"],
      rollback_coverage: 0.9,
      patterns: ["expand-contract", "canary"],
      actions_include: ["postgres.backfill", "postgres.sql"],
      actions_exclude: ["postgres.drop_table"],
    });
    expect(checks["approval_required postgres.drop_table"]?.pass).toBe(true);
    expect(checks["approval_required postgres.create_index"]?.pass).toBe(false);
    expect(checks.rollback_coverage).toMatchObject({ pass: false, detail: "4/5 = 0.80 (want ≥ 0.9)" });
    expect(checks["pattern expand-contract"]?.pass).toBe(true);
    expect(checks["pattern canary"]?.pass).toBe(false);
    expect(checks["actions_include postgres.backfill"]?.pass).toBe(true);
    expect(checks["actions_include postgres.sql"]?.pass).toBe(false);
    expect(checks["actions_exclude postgres.drop_table"]).toMatchObject({
      pass: false,
      detail: "1 step(s) use it",
    });
  });
});
