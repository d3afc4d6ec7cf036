import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTrafficAdapter } from "../src/adapters/traffic/adapter.js";
import type { Blueprint, Step } from "../src/core/blueprint/schema.js";
import type { ExecutorDeps } from "../src/executor/deps.js";
import { createRun, executeRun } from "../src/executor/executor.js";
import { requestRollback } from "../src/executor/request-rollback.js";
import { type EmbeddedRouter, startEmbeddedRouter } from "../src/router/index.js";
import { type SampleService, startSampleService } from "../src/sample-service/index.js";
import { approveStep } from "../src/services/approvals.js";
import { MemoryStore } from "./support/memory-store.js";

/**
 * A canary run whose analysis cannot decide (no traffic reaches the route): the executor stops
 * and waits for a person (`awaiting_approval`, a decision). Approving the analysis step accepts
 * its result and the run goes on to promote v2; rolling back instead sets the weights back. And
 * an analysis that fails outright rolls its phase back by itself. A real embedded router in
 * front of two real sample services; the store in memory.
 */

let v1: SampleService;
let v2: SampleService;
let router: EmbeddedRouter;
let store: MemoryStore;
let deps: ExecutorDeps;

beforeAll(async () => {
  v1 = await startSampleService({ name: "v1" });
  v2 = await startSampleService({ name: "v2" });
  router = await startEmbeddedRouter({ upstreams: { v1: v1.url, v2: v2.url }, weights: { v1: 100, v2: 0 } });
});

beforeEach(() => {
  router.setState({ weights: { v1: 100, v2: 0 }, mirror: null });
  v2.setFaults({ error_rate: 0 });
  store = new MemoryStore();
  deps = { store, adapters: [createTrafficAdapter() as never], env: {}, holder: "test@host" };
});

afterAll(async () => {
  await router?.close();
  await v1?.close();
  await v2?.close();
});

const step = (id: string, action: string, params: Record<string, unknown>): Step => ({
  id,
  name: id,
  component: "web",
  action,
  params,
  rollback: { inverse: true },
  estimated_duration: "1s",
  downtime: "0s",
});

/** Canary v2 at `share` %, one short analysis against v1, then all of the traffic to v2. */
function canaryBlueprint(share = 10, interval = "300ms"): Blueprint {
  const components = [
    { id: "web", kind: "traffic", connection: router.adminUrl, options: { public_url: router.url } },
  ];
  return {
    id: "bp-deploy-decision",
    name: "canary v2 on web",
    version: "1.0",
    created_at: "2026-11-25T00:00:00Z",
    source_state: { components },
    target_state: { components },
    phases: [
      {
        id: "canary",
        name: "canary v2",
        pattern: "canary",
        steps: [
          step("canary-10", "traffic.set_weights", {
            weights: { v1: 100 - share, v2: share },
            previous: { v1: 100, v2: 0 },
          }),
          step("analyse-10", "traffic.analyze", {
            baseline: "v1",
            canary: "v2",
            measurements: 1,
            interval,
            min_requests: 5,
            latency_noise_ms: 1_000,
          }),
          step("promote", "traffic.set_weights", {
            weights: { v1: 0, v2: 100 },
            previous: { v1: 100 - share, v2: share },
          }),
        ],
        health_checks: [
          {
            id: "v2-up",
            type: "connectivity",
            stage: "pre",
            component: "web",
            params: { upstream: "v2" },
            timeout: "5s",
          },
          { id: "route-answers", type: "connectivity", stage: "post", component: "web", timeout: "5s" },
        ],
      },
    ],
    dependency_graph: {
      edges: [
        { from: "canary-10", to: "analyse-10" },
        { from: "analyse-10", to: "promote" },
      ],
    },
  };
}

const events = (runId: string, type: string) =>
  store.log.filter((e) => e.run_id === runId && e.type === type);
const stateOf = async (runId: string, stepId: string) =>
  (await store.getStepStates(runId)).find((s) => s.step_id === stepId);

/** Runs the canary with no traffic on the route: the analysis cannot decide. */
async function undecidedRun(bp: Blueprint) {
  const run = await createRun(deps, bp);
  const waiting = await executeRun(deps, run.id);
  expect(waiting.status).toBe("awaiting_approval");
  const required = events(run.id, "approval.required");
  expect(required).toHaveLength(1);
  expect(required[0]?.step_id).toBe("analyse-10");
  expect(required[0]?.data).toMatchObject({ decision: true, step_hash: expect.stringMatching(/^sha256:/) });
  expect(String(required[0]?.data.reason)).toMatch(/^canary analysis inconclusive: .*too little traffic/);
  expect(String(required[0]?.data.how)).toContain(`migration-architect rollback ${run.id}`);
  expect(await stateOf(run.id, "analyse-10")).toMatchObject({
    state: "failed",
    detail: { needs_decision: true, changed_nothing: true },
  });
  expect(await stateOf(run.id, "promote")).toBeUndefined();
  // the canary keeps its share while the person decides
  expect(router.state().weights).toEqual({ v1: 90, v2: 10 });
  return run;
}

describe("a canary analysis that cannot decide", () => {
  it("waits for a person; approving the step accepts the result and the run completes", async () => {
    const bp = canaryBlueprint();
    const run = await undecidedRun(bp);

    // resuming without a decision analyses again (still no traffic), and the run still waits
    expect((await executeRun(deps, run.id)).status).toBe("awaiting_approval");
    expect(events(run.id, "approval.required")).toHaveLength(2);
    expect(router.state().weights).toEqual({ v1: 90, v2: 10 });

    const analyse = bp.phases[0]?.steps.find((s) => s.id === "analyse-10") as Step;
    await approveStep(store, run.id, analyse, "bob");
    const done = await executeRun(deps, run.id);
    expect(done.status).toBe("completed");
    expect(await stateOf(run.id, "analyse-10")).toMatchObject({
      state: "succeeded",
      detail: { accepted_by: "bob" },
    });
    expect(await stateOf(run.id, "promote")).toMatchObject({ state: "succeeded" });
    expect(router.state().weights).toEqual({ v1: 0, v2: 100 });
    const served = await fetch(`${router.url}/version`);
    expect(await served.json()).toMatchObject({ version: "v2" });
    expect(store.checks.filter((c) => c.run_id === run.id).map((c) => `${c.check_id}:${c.status}`)).toEqual([
      "v2-up:pass",
      "route-answers:pass",
    ]);
  });

  it("rolled back instead, sets the weights back and leaves the analysis alone", async () => {
    const run = await undecidedRun(canaryBlueprint());
    const back = await requestRollback(deps, run.id, { kind: "all" });
    expect(back.status).toBe("rolled_back");
    expect(router.state().weights).toEqual({ v1: 100, v2: 0 });
    const rolled = events(run.id, "rollback.started").at(-1);
    expect(rolled?.data).toMatchObject({ steps: ["canary-10"] });
    expect(events(run.id, "rollback.verified").at(-1)?.data).toMatchObject({
      checkpoint: "source",
      equal: true,
    });
    expect(await stateOf(run.id, "promote")).toBeUndefined();
  });
});

describe("a canary analysis that fails", () => {
  it("rolls its phase back by itself: the weights go back to v1", async () => {
    // Every answer of v2 a 500, and half the traffic on it: the verdict does not hang on chance
    // (the analysis's statistics are tested with a 50 % error rate in traffic.test.ts).
    v2.setFaults({ error_rate: 1 });
    const bp = canaryBlueprint(50, "500ms");
    const run = await createRun(deps, bp);
    let stopping = false;
    // A client of the route while the run goes.
    const load = (async () => {
      for (let i = 1; !stopping; i++) await (await fetch(`${router.url}/orders/${i}`)).arrayBuffer();
    })();
    let end: Awaited<ReturnType<typeof executeRun>>;
    try {
      end = await executeRun(deps, run.id);
    } finally {
      stopping = true;
      await load;
    }
    expect(end.status).toBe("rolled_back");
    expect(await stateOf(run.id, "analyse-10")).toMatchObject({
      state: "failed",
      detail: {
        error: expect.stringMatching(/^canary analysis failed: 1 of 1 measurements failed \(error rate/),
      },
    });
    expect(await stateOf(run.id, "promote")).toBeUndefined();
    expect(router.state().weights).toEqual({ v1: 100, v2: 0 });
    expect(events(run.id, "approval.required")).toEqual([]);
  });
});
