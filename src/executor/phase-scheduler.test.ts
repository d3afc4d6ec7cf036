import { describe, expect, it } from "vitest";
import { runPhaseSteps } from "./phase-scheduler.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("runPhaseSteps", () => {
  // 0 → 2, 1 → 2, 2 → 3
  const preds: Record<number, number[]> = { 0: [], 1: [], 2: [0, 1], 3: [2] };

  it("runs steps after their dependencies, in parallel up to the limit", async () => {
    const log: string[] = [];
    let active = 0;
    let peak = 0;
    const result = await runPhaseSteps({
      members: [0, 1, 2, 3],
      predecessors: (i) => preds[i] ?? [],
      done: new Set(),
      concurrency: 2,
      shouldStart: async () => true,
      run: async (i) => {
        active++;
        peak = Math.max(peak, active);
        log.push(`start ${i}`);
        await sleep(5);
        log.push(`end ${i}`);
        active--;
      },
    });
    expect(result.succeeded.sort()).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
    expect(log.indexOf("start 2")).toBeGreaterThan(Math.max(log.indexOf("end 0"), log.indexOf("end 1")));
    expect(log.indexOf("start 3")).toBeGreaterThan(log.indexOf("end 2"));
  });

  it("starts nothing after a failure, and lets running steps finish", async () => {
    const finished: number[] = [];
    const result = await runPhaseSteps({
      members: [0, 1, 2, 3],
      predecessors: (i) => preds[i] ?? [],
      done: new Set(),
      concurrency: 4,
      shouldStart: async () => true,
      run: async (i) => {
        if (i === 0) throw new Error("boom");
        await sleep(10);
        finished.push(i);
      },
    });
    expect(result.failed.map((f) => f.index)).toEqual([0]);
    expect(finished).toEqual([1]);
    expect(result.notStarted).toEqual([2, 3]);
  });

  it("skips steps already done and holds back where told", async () => {
    const ran: number[] = [];
    const result = await runPhaseSteps({
      members: [0, 1, 2, 3],
      predecessors: (i) => preds[i] ?? [],
      done: new Set([0, 1]),
      concurrency: 1,
      shouldStart: async (i) => i !== 3,
      run: async (i) => {
        ran.push(i);
      },
    });
    expect(ran).toEqual([2]);
    expect(result.heldBack).toBe(3);
    expect(result.notStarted).toEqual([3]);
  });
});
