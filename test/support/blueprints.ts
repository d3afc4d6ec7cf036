import type { Blueprint, Step } from "../../src/core/blueprint/schema.js";

/** A step with sensible defaults; pass what the test cares about. */
export function step(id: string, extra: Partial<Step> = {}): Step {
  return {
    id,
    name: `step ${id}`,
    component: "app-db",
    action: "postgres.sql",
    params: { sql: "SELECT 1" },
    rollback: { action: "postgres.sql", params: { sql: "SELECT 1" } },
    estimated_duration: "1s",
    downtime: "0s",
    ...extra,
  };
}

/**
 * A blueprint from phases of steps and edges written `"a>b"`.
 *
 * @example blueprint({ p1: [step("a"), step("b")] }, ["a>b"])
 */
export function blueprint(
  phases: Record<string, Step[]>,
  edges: string[] = [],
  extra: Partial<Blueprint> = {},
): Blueprint {
  const components = [{ id: "app-db", kind: "postgres", connection: "env:DATABASE_URL" }];
  return {
    id: "bp-test",
    name: "test blueprint",
    version: "1.0",
    created_at: "2026-11-24T10:00:00Z",
    source_state: { components },
    target_state: { components },
    phases: Object.entries(phases).map(([id, steps]) => ({ id, name: `phase ${id}`, steps })),
    dependency_graph: {
      edges: edges.map((e) => {
        const [from, to] = e.split(">") as [string, string];
        return { from, to };
      }),
    },
    ...extra,
  };
}
