import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { EvalCase } from "../evals/case.js";
import { buildSystem, type CaseSystem } from "../evals/fixture.js";
import { startHttpTraffic } from "../evals/http-traffic.js";
import { adapters } from "../src/adapters/registry.js";
import { loadBlueprintText } from "../src/core/blueprint/load.js";
import type { Blueprint } from "../src/core/blueprint/schema.js";
import type { ExecutorDeps } from "../src/executor/deps.js";
import { createRun, executeRun } from "../src/executor/executor.js";
import { projectRoot } from "../src/project-root.js";
import { rollBackConfirmed } from "../src/services/roll-back-confirmed.js";
import { openStore } from "../src/store/open.js";

/**
 * examples/expand-canary-contract.yaml, executed: expand the shop's users.email to
 * email_address, canary web v2 behind the embedded router, contract the schema; then rolled back
 * across both kinds of component. And the same blueprint with a faulty v2: the canary's analysis
 * fails, its phase is rolled back automatically (weights back to v1), and the run's rollback then
 * undoes the expand too. On PGlite, under HTTP load through the router.
 */

const FIXTURES = join(projectRoot(), "evals", "fixtures", "app");
const example = readFileSync(join(projectRoot(), "examples", "expand-canary-contract.yaml"), "utf8");

async function shopWithWeb(v2ErrorRate: number): Promise<CaseSystem> {
  const c: EvalCase = {
    id: "mixed",
    request: "-",
    system: {
      components: [
        { id: "app-db", kind: "postgres", schema: "app-schema.sql", seed: "app-seed.sql" },
        {
          id: "web",
          kind: "service",
          versions: [
            { name: "v1", live: true },
            { name: "v2", error_rate: v2ErrorRate },
          ],
        },
      ],
    },
    expect: {},
  };
  return buildSystem({ file: "mixed.yaml", case: c, resolvePath: (p) => join(FIXTURES, p) });
}

/** The example with the system's connections in the environment it reads them from. */
function envOf(system: CaseSystem): Record<string, string> {
  const db = system.components.find((c) => c.id === "app-db");
  const web = system.components.find((c) => c.id === "web");
  return {
    DATABASE_URL: db?.connection ?? "",
    ROUTER_ADMIN_URL: web?.connection ?? "",
    ROUTER_PUBLIC_URL: String(web?.options?.public_url ?? ""),
  };
}

async function columns(system: CaseSystem): Promise<string[]> {
  const { rows } = await (
    system.connections.get("app-db") as NonNullable<ReturnType<CaseSystem["connections"]["get"]>>
  ).client.query<{
    column_name: string;
  }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY column_name");
  return rows.map((r) => r.column_name);
}

async function weights(system: CaseSystem): Promise<Record<string, number>> {
  const web = system.components.find((c) => c.id === "web");
  const response = await fetch(`${web?.connection}/state`);
  return ((await response.json()) as { weights: Record<string, number> }).weights;
}

let system: CaseSystem | undefined;
afterEach(async () => {
  await system?.close();
  system = undefined;
});

/** The shop and web (v2 with this error rate), a store, and HTTP load through the router. */
async function start(v2ErrorRate: number, rate: number) {
  const built = await shopWithWeb(v2ErrorRate);
  system = built;
  const store = await openStore({ stateDir: built.stateDir });
  const deps: ExecutorDeps = {
    store,
    adapters,
    env: envOf(built),
    holder: `pid ${process.pid}@${hostname()}`,
  };
  const before = await columns(built);
  const load = startHttpTraffic(
    String(envOf(built).ROUTER_PUBLIC_URL),
    [{ method: "GET", path: "/orders/1", rate }],
    1000,
  );
  return { shop: built, store, deps, before, load };
}

describe("a blueprint across the database and the traffic (expand, canary, contract)", () => {
  const loaded = loadBlueprintText(example);
  if (!loaded.ok) throw new Error("examples/expand-canary-contract.yaml does not load");
  const blueprint: Blueprint = loaded.value.blueprint;

  it("runs to the end under load, then rolls back across both: schema and weights as before", async () => {
    const { shop, store, deps, before, load } = await start(0, 50);
    try {
      const run = await createRun(deps, blueprint, { approve: ["contract-email"], approvedBy: "the test" });
      const done = await executeRun(deps, run.id);
      expect(done.status).toBe("completed");
      expect(await columns(shop)).toContain("email_address");
      expect(await columns(shop)).not.toContain("email");
      expect(await weights(shop)).toEqual({ v1: 0, v2: 100 });

      const back = await rollBackConfirmed(deps, run.id, "the test");
      expect(back.run.status).toBe("rolled_back");
      expect(await columns(shop)).toEqual(before);
      expect(await weights(shop)).toEqual({ v1: 100, v2: 0 });
      const undone = (await store.events(run.id))
        .filter((e) => e.type === "step.rolled_back")
        .map((e) => e.step_id);
      // Reverse order of the run: the contract first, the traffic moves, the expand last.
      expect(undone).toEqual(["contract-email", "promote", "analyse-10", "canary-10", "expand-email"]);
    } finally {
      const stats = await load.stop();
      await store.close();
      expect(stats.errors).toBe(0);
      expect(stats.statements).toBeGreaterThan(100);
    }
  });

  it("rolls the canary back automatically when v2 fails, then the whole run on request", async () => {
    const { shop, store, deps, before, load } = await start(0.5, 100);
    try {
      const run = await createRun(deps, blueprint, { approve: ["contract-email"], approvedBy: "the test" });
      const stopped = await executeRun(deps, run.id);
      const events = await store.events(run.id);
      const failed = events.find((e) => e.type === "step.failed");
      expect(failed?.step_id).toBe("analyse-10");
      expect(String(failed?.data.error)).toMatch(/canary analysis failed: .*error rate/);
      // Level 0: the canary's weights went back without anyone asked; the expand stays, at its checkpoint.
      expect(await weights(shop)).toEqual({ v1: 100, v2: 0 });
      expect(await columns(shop)).toContain("email_address");
      expect(stopped.status).toBe("rolled_back");

      const back = await rollBackConfirmed(deps, run.id, "the test");
      expect(back.run.status).toBe("rolled_back");
      expect(await columns(shop)).toEqual(before);
      expect(await weights(shop)).toEqual({ v1: 100, v2: 0 });
    } finally {
      await load.stop();
      await store.close();
    }
  });
});
