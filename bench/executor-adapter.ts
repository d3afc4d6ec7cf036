/**
 * The executor benchmark's adapter (kind `bench`): two actions that cost nothing but what they
 * are asked to, so that whatever else a run takes is the executor's and the store's.
 *
 * - `bench.noop` does nothing (`{}`); its inverse is another noop.
 * - `bench.sleep` waits `{ ms }` milliseconds; its inverse is a noop.
 *
 * Health checks always pass, the snapshot is a constant, the lock is held in this process. Every
 * apply reports when it started and ended to `trace` (performance.now(), by step id), so the
 * benchmark can tell the time spent in the action from the time spent around it. Benchmark-only:
 * nothing in src/ knows this adapter.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { ActionDef, Adapter, HealthCheckResult, StepContext } from "../src/adapters/types.js";

export const BENCH_KIND = "bench";

/** Times of each apply, by step id (performance.now() ms). */
export interface ApplyTrace {
  start: Map<string, number>;
  end: Map<string, number>;
}

export function newTrace(): ApplyTrace {
  return { start: new Map(), end: new Map() };
}

/** What the benchmark counts of the adapter's own work (all of it trivial). */
export interface AdapterCounts {
  apply: number;
  verify: number;
  snapshot: number;
  healthCheck: number;
  lock: number;
  connect: number;
}

interface BenchConnection {
  name: string;
}

const LOW_RISK = () => ({
  complexity: 0.1,
  blast_radius: 0.1,
  reversibility_difficulty: 0.1,
  data_sensitivity: 0.1,
});

/** The adapter, with its counters and the trace of the current run. */
export function createBenchAdapter(): {
  adapter: Adapter<unknown>;
  counts: AdapterCounts;
  /** Replaced before each run. */
  trace: ApplyTrace;
  reset(): void;
} {
  const state = {
    counts: { apply: 0, verify: 0, snapshot: 0, healthCheck: 0, lock: 0, connect: 0 } as AdapterCounts,
    trace: newTrace(),
  };
  const locks = new Map<string, string>();

  const traced = async (context: StepContext, body: () => Promise<void>) => {
    state.counts.apply++;
    state.trace.start.set(context.stepId, performance.now());
    await body();
    state.trace.end.set(context.stepId, performance.now());
    return {};
  };

  const noop = {
    name: "bench.noop",
    params: z.strictObject({}),
    risk: LOW_RISK,
    hasInverse: () => true,
    describe: () => "does nothing",
    inverse: () => ({ action: "bench.noop", params: {} }),
    apply: (_c: BenchConnection, _p: Record<string, never>, context: StepContext) =>
      traced(context, async () => undefined),
    verify: async () => {
      state.counts.verify++;
      return true;
    },
  } satisfies ActionDef<Record<string, never>, BenchConnection>;

  const sleepAction = {
    name: "bench.sleep",
    params: z.strictObject({ ms: z.int().min(0).max(60_000) }),
    risk: LOW_RISK,
    hasInverse: () => true,
    describe: (p: { ms: number }) => `waits ${p.ms} ms`,
    inverse: () => ({ action: "bench.noop", params: {} }),
    apply: (_c: BenchConnection, p: { ms: number }, context: StepContext) =>
      traced(context, () => sleep(p.ms, undefined, { signal: context.signal })),
    verify: async () => {
      state.counts.verify++;
      return true;
    },
  } satisfies ActionDef<{ ms: number }, BenchConnection>;

  const adapter: Adapter<BenchConnection> = {
    kind: BENCH_KIND,
    actions: [noop, sleepAction] as unknown as Adapter<BenchConnection>["actions"],
    connect: async (component) => {
      state.counts.connect++;
      return {
        connection: { name: component.id },
        describe: `bench:${component.id}`,
        close: async () => undefined,
      };
    },
    discover: async (c) => ({ name: c.name }),
    healthCheck: async (_c, check): Promise<HealthCheckResult> => {
      state.counts.healthCheck++;
      return {
        check_id: check.id,
        type: check.type,
        stage: check.stage,
        component: check.component,
        status: "pass",
        figures: {},
        message: "ok",
        duration_ms: 0,
      };
    },
    snapshot: async (_c, componentId) => {
      state.counts.snapshot++;
      return {
        component: componentId,
        fingerprint: "bench",
        checksums: { bench: "0" },
        taken_at: "2026-01-01T00:00:00.000Z",
      };
    },
    lock: async (c, holder) => {
      state.counts.lock++;
      const held = locks.get(c.name);
      if (held) throw new Error(`bench component '${c.name}' is held by ${held}`);
      locks.set(c.name, holder);
      return async () => {
        locks.delete(c.name);
      };
    },
  };

  return {
    adapter: adapter as unknown as Adapter<unknown>,
    get counts() {
      return state.counts;
    },
    get trace() {
      return state.trace;
    },
    set trace(value: ApplyTrace) {
      state.trace = value;
    },
    reset() {
      state.counts = { apply: 0, verify: 0, snapshot: 0, healthCheck: 0, lock: 0, connect: 0 };
      state.trace = newTrace();
    },
  };
}
