import { beforeEach, describe, expect, it } from "vitest";
import type { Blueprint, HealthCheck, Step } from "../src/core/blueprint/schema.js";
import type { ExecutorDeps } from "../src/executor/deps.js";
import { createRun, executeRun } from "../src/executor/executor.js";
import { FakeSystems } from "./support/fake-adapter.js";
import { MemoryStore } from "./support/memory-store.js";

let fakes: FakeSystems;
let store: MemoryStore;
let deps: ExecutorDeps;

beforeEach(() => {
  fakes = new FakeSystems();
  store = new MemoryStore();
  deps = { store, adapters: [fakes.adapter() as never], env: {}, holder: "test@host" };
});

const put = (id: string, key: string, extra: Partial<Step> = {}): Step => ({
  id,
  name: id,
  component: "kv",
  action: "fake.put",
  params: { key, value: `v-${key}` },
  rollback: { inverse: true },
  ...extra,
});

function blueprint(
  phases: Record<string, { steps: Step[]; checks?: HealthCheck[] }>,
  edges: [string, string][] = [],
): Blueprint {
  const components = [{ id: "kv", kind: "fake", connection: "fake:kv" }];
  return {
    id: "bp-exec",
    name: "executor test",
    version: "1.0",
    created_at: "2026-11-25T00:00:00Z",
    source_state: { components },
    target_state: { components },
    phases: Object.entries(phases).map(([id, p]) => ({
      id,
      name: id,
      steps: p.steps,
      health_checks: p.checks,
    })),
    dependency_graph: { edges: edges.map(([from, to]) => ({ from, to })) },
  };
}

const check = (
  id: string,
  stage: HealthCheck["stage"],
  params: Record<string, unknown> = {},
): HealthCheck => ({
  id,
  type: "functional",
  stage,
  component: "kv",
  params,
});

async function runToEnd(bp: Blueprint, options = {}) {
  const run = await createRun(deps, bp, options);
  return executeRun(deps, run.id);
}

const types = (runId: string) => store.log.filter((e) => e.run_id === runId).map((e) => e.type);

describe("the executor", () => {
  it("runs phases in order with checkpoints and checks, and completes", async () => {
    fakes.system("fake:kv").set("existing", "1");
    const bp = blueprint(
      {
        p1: {
          steps: [put("a", "a"), put("b", "b")],
          checks: [check("up", "pre"), check("a-set", "intra", { key: "a", equals: "v-a" })],
        },
        p2: { steps: [put("c", "c")], checks: [check("c-set", "post", { key: "c", equals: "v-c" })] },
      },
      [["a", "c"]],
    );
    const run = await runToEnd(bp);
    expect(run.status).toBe("completed");
    expect([...fakes.system("fake:kv").keys()].sort()).toEqual(["a", "b", "c", "existing"]);
    const seq = store.log.map((e) => e.seq);
    expect(seq).toEqual(seq.map((_, i) => i + 1));
    const t = types(run.id);
    expect(t.indexOf("pre_checks.passed")).toBeLessThan(t.indexOf("phase.started"));
    expect(t.filter((x) => x === "phase.completed")).toHaveLength(2);
    expect(store.checkpoints.map((c) => c.checkpoint_id)).toEqual(["source", "before:p1", "before:p2"]);
    expect(store.checks.map((c) => `${c.check_id}:${c.status}`)).toEqual([
      "up:pass",
      "a-set:pass",
      "c-set:pass",
    ]);
    expect((await store.getStepStates(run.id)).every((s) => s.state === "succeeded")).toBe(true);
  });

  it("aborts on a failed pre check, changing nothing", async () => {
    const bp = blueprint({ p1: { steps: [put("a", "a")], checks: [check("up", "pre", { fail: true })] } });
    const run = await runToEnd(bp);
    expect(run.status).toBe("failed");
    expect(fakes.calls).toEqual([]);
    expect(types(run.id)).toContain("run.aborted");
  });

  it("rolls the current phase back to its checkpoint when a step fails", async () => {
    const bp = blueprint(
      {
        p1: { steps: [put("a", "a")] },
        p2: { steps: [put("b", "b"), { ...put("boom", "x"), action: "fake.fail", params: {} }] },
      },
      [
        ["a", "b"],
        ["b", "boom"],
      ],
    );
    const run = await runToEnd(bp);
    expect(run.status).toBe("rolled_back");
    // p1 stays (the checkpoint before p2), p2's work is undone, the failed step's inverse ran too
    expect([...fakes.system("fake:kv").keys()]).toEqual(["a"]);
    expect(fakes.calls).toEqual(["put a", "put b", "fail", "delete never-set", "delete b"]);
    const incident = store.log.filter((e) => e.type === "incident").at(-1);
    expect(incident?.data).toMatchObject({ restored: true, scope: { kind: "phase", phaseId: "p2" } });
    expect(incident?.data.what).toContain("step 'boom' failed: the fake step failed");
  });

  it("rolls the phase back when an intra check fails, and everything when a post check fails", async () => {
    const intra = blueprint({
      p1: { steps: [put("a", "a")] },
      p2: { steps: [put("b", "b")], checks: [check("never", "intra", { fail: true })] },
    });
    expect((await runToEnd(intra)).status).toBe("rolled_back");
    expect([...fakes.system("fake:kv").keys()]).toEqual(["a"]);

    fakes.system("fake:kv").clear();
    const post = blueprint({
      p1: { steps: [put("a", "a")] },
      p2: { steps: [put("b", "b")], checks: [check("never", "post", { fail: true })] },
    });
    const run = await runToEnd(post);
    expect(run.status).toBe("rolled_back");
    expect([...fakes.system("fake:kv").keys()]).toEqual([]);
    const verified = store.log.filter((e) => e.run_id === run.id && e.type === "rollback.verified").at(-1);
    expect(verified?.data).toMatchObject({ checkpoint: "source", equal: true });
  });

  it("waits for approval of a risky step, bound to the step's hash", async () => {
    const bp = blueprint(
      {
        p1: {
          steps: [put("safe", "s"), put("risky", "r", { params: { key: "r", value: "v", risky: true } })],
        },
      },
      [["safe", "risky"]],
    );
    const run = await runToEnd(bp);
    expect(run.status).toBe("awaiting_approval");
    expect(fakes.calls).toEqual(["put s"]);
    const required = store.log.find((e) => e.type === "approval.required");
    expect(required?.step_id).toBe("risky");
    expect(required?.data.step_hash).toMatch(/^sha256:/);

    // an approval of another version of the step does not count
    await store.saveApproval({
      run_id: run.id,
      step_id: "risky",
      step_hash: "sha256:edited",
      approved_by: "eve",
      approved_at: "",
    });
    expect((await executeRun(deps, run.id)).status).toBe("awaiting_approval");

    await store.saveApproval({
      run_id: run.id,
      step_id: "risky",
      step_hash: required?.data.step_hash as string,
      approved_by: "alice",
      approved_at: "",
    });
    expect((await executeRun(deps, run.id)).status).toBe("completed");
    expect(fakes.calls).toEqual(["put s", "put r"]);
  });

  it("takes approvals given up front", async () => {
    const bp = blueprint({
      p1: { steps: [put("risky", "r", { params: { key: "r", value: "v", risky: true } })] },
    });
    expect((await runToEnd(bp, { approve: ["risky"], approvedBy: "alice" })).status).toBe("completed");
  });

  it("pauses a prompted (level 1) rollback for confirmation and a manual one with its instructions", async () => {
    const bp = blueprint(
      {
        p1: {
          steps: [
            put("manual", "m", { rollback: { manual: "delete key m by hand", level: 2 } }),
            put("prompted", "p", { rollback: { inverse: true, level: 1 } }),
          ],
          checks: [check("never", "intra", { fail: true })],
        },
      },
      [["manual", "prompted"]],
    );
    const run = await runToEnd(bp);
    expect(run.status).toBe("awaiting_confirmation");
    const waiting = store.log.filter((e) => e.type === "rollback.waiting");
    expect(waiting.at(-1)?.step_id).toBe("prompted");

    await store.transition(run.id, {
      type: "rollback.confirmed",
      step_id: "prompted",
      phase_id: null,
      check_id: null,
      data: {},
    });
    const next = await executeRun(deps, run.id);
    expect(next.status).toBe("paused_manual");
    expect(store.log.filter((e) => e.type === "rollback.waiting").at(-1)?.data.instructions).toBe(
      "delete key m by hand",
    );
    expect(fakes.system("fake:kv").has("p")).toBe(false);

    // the human does it, confirms, and the rollback finishes and verifies
    fakes.system("fake:kv").delete("m");
    await store.transition(run.id, {
      type: "rollback.confirmed",
      step_id: "manual",
      phase_id: null,
      check_id: null,
      data: {},
    });
    expect((await executeRun(deps, run.id)).status).toBe("rolled_back");
  });

  it("refuses a second run on a component that is held, naming the holder", async () => {
    const bp = blueprint({ p1: { steps: [put("a", "a")] } });
    fakes.locks.set("fake:kv", "pid 4242@elsewhere (run run-x)");
    const run = await createRun(deps, bp);
    await expect(executeRun(deps, run.id)).rejects.toThrow("held by pid 4242@elsewhere");
    expect(fakes.calls).toEqual([]);
  });

  it("resumes a step found running after a crash: verified, not applied twice", async () => {
    const bp = blueprint({ p1: { steps: [put("a", "a"), put("b", "b")] } }, [["a", "b"]]);
    const run = await createRun(deps, bp);
    // the crash: 'a' was applied and marked running, then the process died
    fakes.system("fake:kv").set("a", "v-a");
    await store.saveCheckpoint({ run_id: run.id, checkpoint_id: "source", phase_id: "", snapshot: {} });
    await store.transition(
      run.id,
      { type: "step.running", phase_id: "p1", step_id: "a", check_id: null, data: {} },
      { runStatus: "running", step: { step_id: "a", state: "running" } },
    );
    expect((await executeRun(deps, run.id)).status).toBe("completed");
    expect(fakes.calls).toEqual(["put b"]);
  });
});

describe("rollbacks a person asks for", () => {
  const three = () =>
    blueprint(
      {
        p1: { steps: [put("a", "a")] },
        p2: { steps: [put("b", "b")] },
        p3: { steps: [put("c", "c"), put("d", "d")] },
      },
      [
        ["a", "b"],
        ["b", "c"],
      ],
    );
  const withCheckpoint = () => {
    const bp = three();
    bp.rollback_strategy = { type: "point-in-time", checkpoints: [{ id: "cp-1", after_phase: "p1" }] };
    return bp;
  };

  it("rolls a completed run back to the source", async () => {
    const { requestRollback } = await import("../src/executor/request-rollback.js");
    const run = await runToEnd(three());
    expect(run.status).toBe("completed");
    const back = await requestRollback(deps, run.id, { kind: "all" });
    expect(back.status).toBe("rolled_back");
    expect(fakes.system("fake:kv").size).toBe(0);
  });

  it("rolls back to a checkpoint, keeping the phases before it", async () => {
    const { requestRollback } = await import("../src/executor/request-rollback.js");
    const run = await runToEnd(withCheckpoint());
    const back = await requestRollback(deps, run.id, { kind: "checkpoint", checkpoint: "cp-1" });
    expect(back.status).toBe("rolled_back");
    expect([...fakes.system("fake:kv").keys()]).toEqual(["a"]);
  });

  it("refuses a selective rollback that leaves a dependent step, naming it", async () => {
    const { requestRollback, RollbackRefused } = await import("../src/executor/request-rollback.js");
    const run = await runToEnd(three());
    const refused = requestRollback(deps, run.id, { kind: "steps", steps: ["b"] });
    await expect(refused).rejects.toBeInstanceOf(RollbackRefused);
    await expect(refused).rejects.toThrow("step 'c' stays, and it depends on 'b'");
    const ok = await requestRollback(deps, run.id, { kind: "steps", steps: ["d"] });
    expect(ok.status).toBe("rolled_back");
    expect([...fakes.system("fake:kv").keys()].sort()).toEqual(["a", "b", "c"]);
  });
});
