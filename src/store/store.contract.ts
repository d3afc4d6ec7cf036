/**
 * The store's contract (STYLE.md 14): the same tests for every backend — PGlite in memory, PGlite
 * on disk, PostgreSQL. `store.test.ts` runs it once per backend.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidTimestampError, RunNotFoundError } from "./errors.js";
import type { NewEvent, RunRecord, StepState, Store } from "./types.js";

/** A place a store can be opened, as many times as a test needs. */
export interface StoreBackend {
  /** Opens a store on the backend's database: the same database every time. */
  open(): Promise<Store>;
  /** The data outlives `close()`: a store opened again finds it. */
  durable: boolean;
  /** Several stores may be open on the database at once, as several processes would be. */
  sharedByInstances: boolean;
  /** Removes what the backend created (a temporary directory or database). */
  dispose(): Promise<void>;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;
const event = (type: string, extra: Partial<NewEvent> = {}): NewEvent => ({
  type,
  phase_id: null,
  step_id: null,
  check_id: null,
  data: {},
  ...extra,
});

/** Defines the contract's tests, on a backend made once for the suite; call inside a `describe`. */
export function storeContract(makeBackend: () => Promise<StoreBackend>): void {
  let backend: StoreBackend;
  let store: Store;

  beforeAll(async () => {
    backend = await makeBackend();
    store = await backend.open();
  });
  afterAll(async () => {
    await store?.close();
    await backend?.dispose();
  });

  // Every test works on runs of its own, so the tests share one database without seeing each other.
  async function newRun(into: Store = store): Promise<RunRecord> {
    const hash = unique("sha256:bp");
    await into.saveBlueprint({ hash, blueprint_id: "bp", name: "A blueprint", content: { id: "bp" } });
    return into.createRun({
      id: unique("run"),
      blueprint_hash: hash,
      blueprint_id: "bp",
      status: "pending",
      options: {},
      holder: null,
    });
  }
  const seqs = async (runId: string) => (await store.events(runId)).map((e) => e.seq);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  describe("blueprints", () => {
    it("saves, gets and lists a blueprint; saving it again keeps the first", async () => {
      const hash = unique("sha256:bp");
      const content = { id: "bp", phases: [{ id: "p1", steps: [] }], nested: { n: 1, s: "é" } };
      await store.saveBlueprint({ hash, blueprint_id: "bp", name: "Name", content });
      await store.saveBlueprint({ hash, blueprint_id: "bp", name: "Renamed", content: {} });
      const got = await store.getBlueprint(hash);
      expect(got).toEqual({
        hash,
        blueprint_id: "bp",
        name: "Name",
        content,
        created_at: expect.stringMatching(ISO),
      });
      expect((await store.listBlueprints()).filter((b) => b.hash === hash)).toEqual([got]);
      expect(await store.getBlueprint(unique("sha256:none"))).toBeUndefined();
    });
  });

  describe("runs", () => {
    it("creates, gets and lists a run", async () => {
      const hash = unique("sha256:bp");
      await store.saveBlueprint({ hash, blueprint_id: "bp", name: "N", content: {} });
      const options = { concurrency: 2, approve: ["a"], nothing: null };
      const created = await store.createRun({
        id: unique("run"),
        blueprint_hash: hash,
        blueprint_id: "bp",
        status: "pending",
        options,
        holder: null,
      });
      expect(created).toMatchObject({ blueprint_hash: hash, status: "pending", options, holder: null });
      expect(created.created_at).toMatch(ISO);
      expect(created.updated_at).toMatch(ISO);
      expect(await store.getRun(created.id)).toEqual(created);
      expect((await store.listRuns()).filter((r) => r.id === created.id)).toEqual([created]);
      expect(await store.getRun(unique("run"))).toBeUndefined();
    });

    it("creates a run with its approvals in one transaction; a run that cannot be created leaves no approval", async () => {
      const hash = unique("sha256:bp");
      await store.saveBlueprint({ hash, blueprint_id: "bp", name: "N", content: {} });
      const id = unique("run");
      const approval = {
        run_id: id,
        step_id: "drop-it",
        step_hash: "sha256:step",
        approved_by: "ana",
        approved_at: "2030-01-01T00:00:00.000Z",
      };
      const fields = {
        id,
        blueprint_hash: hash,
        blueprint_id: "bp",
        status: "pending",
        options: {},
        holder: null,
      } as const;
      await store.createRun(fields, [approval]);
      expect(await store.getApprovals(id)).toEqual([approval]);
      // The same id again fails on the run: the approval of the failed attempt is not kept either.
      await expect(store.createRun(fields, [{ ...approval, step_id: "other" }])).rejects.toThrow();
      expect(await store.getApprovals(id)).toEqual([approval]);
    });

    it("sets and clears the holder", async () => {
      const run = await newRun();
      await store.setHolder(run.id, "pid 4242@host");
      expect((await store.getRun(run.id))?.holder).toBe("pid 4242@host");
      await store.setHolder(run.id, null);
      expect((await store.getRun(run.id))?.holder).toBeNull();
    });
  });

  describe("transitions and the event log", () => {
    it("appends events numbered 1..n and returns each as stored", async () => {
      const run = await newRun();
      const first = await store.transition(
        run.id,
        event("step.running", {
          phase_id: "p1",
          step_id: "a",
          data: { figures: { rows: 3 }, list: [1, "x"] },
        }),
      );
      expect(first).toEqual({
        run_id: run.id,
        seq: 1,
        type: "step.running",
        at: expect.stringMatching(ISO),
        phase_id: "p1",
        step_id: "a",
        check_id: null,
        data: { figures: { rows: 3 }, list: [1, "x"] },
      });
      const given = await store.transition(
        run.id,
        event("check.pass", { check_id: "c", at: "2030-01-02T03:04:05.678Z" }),
      );
      expect(given).toMatchObject({ seq: 2, at: "2030-01-02T03:04:05.678Z", check_id: "c" });
      for (let i = 0; i < 5; i++) await store.transition(run.id, event("note"));
      expect(await seqs(run.id)).toEqual(range(7));
      expect((await store.events(run.id))[0]).toEqual(first);
    });

    it("numbers each run's log on its own", async () => {
      const [a, b] = [await newRun(), await newRun()];
      await store.transition(a.id, event("x"));
      await store.transition(b.id, event("x"));
      await store.transition(a.id, event("x"));
      expect(await seqs(a.id)).toEqual([1, 2]);
      expect(await seqs(b.id)).toEqual([1]);
    });

    it("returns the events after a seq, in order", async () => {
      const run = await newRun();
      for (let i = 0; i < 5; i++) await store.transition(run.id, event(`e${i + 1}`));
      expect((await store.events(run.id, 2)).map((e) => [e.seq, e.type])).toEqual([
        [3, "e3"],
        [4, "e4"],
        [5, "e5"],
      ]);
      expect(await store.events(run.id, 5)).toEqual([]);
      expect(await store.events(unique("run"))).toEqual([]);
    });

    it("changes the run's status in the same transaction", async () => {
      const run = await newRun();
      await store.transition(run.id, event("run.running"), { runStatus: "running" });
      const after = await store.getRun(run.id);
      expect(after?.status).toBe("running");
      expect(Date.parse(after?.updated_at ?? "")).toBeGreaterThanOrEqual(Date.parse(run.updated_at));
    });

    it("counts a step's attempts and times them", async () => {
      const run = await newRun();
      const step = (state: StepState, detail?: Record<string, unknown>) =>
        store.transition(run.id, event(`step.${state}`, { step_id: "a" }), {
          step: { step_id: "a", state, detail },
        });
      const state = async () => (await store.getStepStates(run.id)).find((s) => s.step_id === "a");

      const started = await step("running");
      expect(await state()).toEqual({
        run_id: run.id,
        step_id: "a",
        state: "running",
        attempts: 1,
        started_at: started.at,
        finished_at: null,
        detail: {},
        progress: null,
      });
      await store.setStepProgress(run.id, "a", { last_key: 41 });
      const failed = await step("failed", { error: "boom" });
      expect(await state()).toMatchObject({
        state: "failed",
        attempts: 1,
        started_at: started.at,
        finished_at: failed.at,
      });
      expect((await state())?.detail).toEqual({ error: "boom" });

      const retried = await step("running");
      // A retry starts a new attempt: the clock restarts, the old error goes, the progress stays.
      expect(await state()).toMatchObject({
        state: "running",
        attempts: 2,
        started_at: retried.at,
        finished_at: null,
        detail: {},
        progress: { last_key: 41 },
      });
      const done = await step("succeeded", { rows: 10 });
      expect(await state()).toMatchObject({
        state: "succeeded",
        attempts: 2,
        finished_at: done.at,
        detail: { rows: 10 },
      });
    });

    it("lists a run's step states, started steps first", async () => {
      const run = await newRun();
      const move = (stepId: string, state: StepState, at: string) =>
        store.transition(run.id, event(`step.${state}`, { at }), { step: { step_id: stepId, state } });
      await move("z-pending", "pending", "2030-01-01T00:00:00.000Z");
      await move("b", "running", "2030-01-01T00:00:01.000Z");
      await move("a", "running", "2030-01-01T00:00:02.000Z");
      expect((await store.getStepStates(run.id)).map((s) => s.step_id)).toEqual(["b", "a", "z-pending"]);
      expect(await store.getStepStates(unique("run"))).toEqual([]);
    });

    it("leaves nothing behind when a transition fails", async () => {
      const run = await newRun();
      await store.transition(run.id, event("ok"));
      const bad = store.transition(run.id, event("bad"), {
        runStatus: "running",
        step: { step_id: "a", state: "exploded" as StepState },
      });
      await expect(bad).rejects.toThrow();
      expect(await seqs(run.id)).toEqual([1]);
      expect((await store.getRun(run.id))?.status).toBe("pending");
      expect(await store.getStepStates(run.id)).toEqual([]);
      // and the log goes on without a gap
      expect((await store.transition(run.id, event("next"))).seq).toBe(2);
    });

    it("refuses a transition of an unknown run, and a timestamp that is not one", async () => {
      await expect(store.transition(unique("run"), event("x"))).rejects.toBeInstanceOf(RunNotFoundError);
      const run = await newRun();
      await expect(store.transition(run.id, event("x", { at: "yesterday" }))).rejects.toBeInstanceOf(
        InvalidTimestampError,
      );
      expect(await store.events(run.id)).toEqual([]);
    });

    it("numbers 50 concurrent transitions of one run 1..50, without gaps or duplicates", async () => {
      const run = await newRun();
      const stored = await Promise.all(
        range(50).map((i) =>
          store.transition(run.id, event("parallel", { data: { i } }), {
            step: { step_id: `s${i % 5}`, state: "running" },
          }),
        ),
      );
      expect(stored.map((e) => e.seq).sort((x, y) => x - y)).toEqual(range(50));
      expect(await seqs(run.id)).toEqual(range(50));
      const attempts = (await store.getStepStates(run.id)).map((s) => s.attempts);
      expect(attempts).toEqual([10, 10, 10, 10, 10]);
    });

    it("numbers concurrent transitions from two stores on one database 1..50", async (context) => {
      if (!backend.sharedByInstances) return context.skip();
      const other = await backend.open();
      try {
        const run = await newRun();
        const stored = await Promise.all(
          range(50).map((i) =>
            (i % 2 ? store : other).transition(run.id, event("parallel", { data: { i } })),
          ),
        );
        expect(stored.map((e) => e.seq).sort((x, y) => x - y)).toEqual(range(50));
        expect(await seqs(run.id)).toEqual(range(50));
      } finally {
        await other.close();
      }
    });
  });

  describe("checkpoints, health checks, approvals, reports", () => {
    it("saves checkpoints; taking one again replaces it", async () => {
      const run = await newRun();
      await store.saveCheckpoint({
        run_id: run.id,
        checkpoint_id: "source",
        phase_id: "",
        snapshot: { v: 1 },
      });
      await store.saveCheckpoint({
        run_id: run.id,
        checkpoint_id: "cp1",
        phase_id: "p1",
        snapshot: { v: 2 },
      });
      await store.saveCheckpoint({
        run_id: run.id,
        checkpoint_id: "source",
        phase_id: "",
        snapshot: { v: 3 },
      });
      const got = await store.getCheckpoints(run.id);
      expect(got.map((c) => [c.checkpoint_id, c.phase_id, c.snapshot])).toEqual([
        ["cp1", "p1", { v: 2 }],
        ["source", "", { v: 3 }],
      ]);
      expect(got[0]?.created_at).toMatch(ISO);
    });

    it("keeps every health check result, in the order written", async () => {
      const run = await newRun();
      const result = {
        run_id: run.id,
        check_id: "rows-match",
        stage: "intra",
        phase_id: "p1",
        status: "pass" as const,
        figures: { source: 10, target: 10 },
        message: "10 = 10",
        duration_ms: 12.5,
        at: "2030-01-01T00:00:00.000Z",
      };
      await store.saveHealthCheck(result);
      await store.saveHealthCheck({
        ...result,
        status: "fail",
        phase_id: null,
        stage: "post",
        duration_ms: 3,
      });
      expect(await store.getHealthChecks(run.id)).toEqual([
        result,
        { ...result, status: "fail", phase_id: null, stage: "post", duration_ms: 3 },
      ]);
    });

    it("saves approvals bound to a step's hash; the same approval twice is one", async () => {
      const run = await newRun();
      const approval = {
        run_id: run.id,
        step_id: "risky",
        step_hash: "sha256:v1",
        approved_by: "alice",
        approved_at: "2030-01-01T00:00:00.000Z",
      };
      await store.saveApproval(approval);
      await store.saveApproval(approval);
      await store.saveApproval({
        ...approval,
        step_hash: "sha256:v2",
        approved_at: "2030-01-02T00:00:00.000Z",
      });
      expect(await store.getApprovals(run.id)).toEqual([
        approval,
        { ...approval, step_hash: "sha256:v2", approved_at: "2030-01-02T00:00:00.000Z" },
      ]);
    });

    it("saves one report per format; writing it again replaces it", async () => {
      const run = await newRun();
      await store.saveReport({ run_id: run.id, format: "markdown", content: "# one" });
      await store.saveReport({ run_id: run.id, format: "markdown", content: "# two" });
      expect(await store.getReport(run.id, "markdown")).toEqual({
        run_id: run.id,
        format: "markdown",
        content: "# two",
        created_at: expect.stringMatching(ISO),
      });
      expect(await store.getReport(run.id, "json")).toBeUndefined();
    });
  });

  describe("durability", () => {
    it("finds everything again after close and open", async (context) => {
      if (!backend.durable) return context.skip();
      const run = await newRun();
      await store.transition(run.id, event("step.running"), {
        runStatus: "running",
        step: { step_id: "a", state: "running" },
      });
      await store.saveCheckpoint({
        run_id: run.id,
        checkpoint_id: "source",
        phase_id: "",
        snapshot: { v: 1 },
      });
      const before = {
        run: await store.getRun(run.id),
        events: await store.events(run.id),
        steps: await store.getStepStates(run.id),
        checkpoints: await store.getCheckpoints(run.id),
      };
      await store.close();
      store = await backend.open();
      expect({
        run: await store.getRun(run.id),
        events: await store.events(run.id),
        steps: await store.getStepStates(run.id),
        checkpoints: await store.getCheckpoints(run.id),
      }).toEqual(before);
      expect((await store.transition(run.id, event("after reopen"))).seq).toBe(2);
    });
  });
}
