/**
 * One case of the executor benchmark, run in a fresh process by `executor.bench.ts`:
 *
 *   node --import tsx bench/executor-one.ts <noop|sleep> <pglite|postgres|memory> [repeats] [warmups]
 *
 * - `pglite`: the embedded store in a fresh temporary state directory (removed at the end).
 * - `postgres`: the PostgreSQL store on the database named by MA_BENCH_STATE_URL (the parent
 *   creates a fresh one and drops it afterwards).
 * - `memory`: the in-memory store of the executor tests (test/support/memory-store.ts), a fresh
 *   one per run — not a product store: a reference that shows the executor's own cost.
 *
 * Each repetition records a new run of the case's blueprint (`createRun`) and drives it to its end
 * (`executeRun`, the time measured), with the bench adapter. The store is wrapped to count and
 * time every call; the observer and the adapter timestamp every event and every apply, from which
 * the run's wall time is split by window (setup, each phase's steps, intra checks, the checkpoint
 * between phases, the tail) and its overhead over the critical path by cause (store calls outside
 * the steps; the critical chain's transitions, their own time and their queueing; the chain
 * waiting while the store served other branches; timer lateness; the rest). The split by cause is
 * meant for the sleep case (the no-op case has no critical chain to speak of). Warm-up repetitions
 * run first and are reported apart. Prints one JSON line (`ExecutorOneResult`).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createCatalog } from "../src/core/catalog/catalog.js";
import { validateBlueprint } from "../src/core/validate.js";
import type { ExecutorDeps } from "../src/executor/deps.js";
import { createRun, executeRun } from "../src/executor/executor.js";
import { openStore } from "../src/store/open.js";
import type { NewEvent, RunEvent, Store } from "../src/store/types.js";
import { MemoryStore } from "../test/support/memory-store.js";
import { type AdapterCounts, createBenchAdapter } from "./executor-adapter.js";
import { noopBlueprint, sleepBlueprint } from "./executor-blueprints.js";

export type CaseName = "noop" | "sleep";
export type StoreKind = "pglite" | "postgres" | "memory";

/** Store calls of one run by method: how many, and their summed duration (queueing included). */
export type CallStats = Record<string, { count: number; ms: number }>;

/** Where one run's wall time went (ms, from the observer's and the adapter's timestamps). */
export interface Timeline {
  /** executeRun's start → the first `phase.started` event (session, source checkpoint, pre checks, before-checkpoint). */
  setup_ms: number;
  /** Per phase: `phase.started` → its last `step.succeeded`. */
  phase_steps_ms: number[];
  /** Per phase: that, minus the phase's critical path (`lengthMs`): what the steps took beyond their own time. */
  phase_excess_ms: number[];
  /** Per phase: last `step.succeeded` → `phase.completed` (intra checks, the phase.completed transition). */
  intra_ms: number[];
  /** Between phases: `phase.completed` → next `phase.started` (snapshot, saveCheckpoint, checkpoint event). */
  between_ms: number[];
  /** Last `phase.completed` → executeRun returns (post checks, run.completed, holder, session close, getRun). */
  tail_ms: number;
  /**
   * Per step, then summed along the core's critical path of each phase: from the moment the step
   * was ready (its in-phase predecessors' `step.succeeded`, or `phase.started`) to its apply
   * (scheduling + the `step.running` transition; for noop steps also waiting for a slot), the
   * action's time beyond its declared duration (timer lateness), and from the apply's end to its
   * `step.succeeded` event (verify + the `step.succeeded` transition).
   */
  steps: StepSplit;
  critical_chain: StepSplit & { steps: number };
  /**
   * The overhead (wall − critical path) by cause; the parts sum to it. Store calls outside the
   * steps' windows (setup, intra checks, between phases, tail) all hold the run up; of the steps'
   * transitions, those of the critical chain do, each waiting for the calls ahead of it (other
   * branches' transitions) and then served.
   */
  by_cause: {
    store_outside_steps_ms: number;
    store_outside_steps_calls: number;
    chain_transitions: number;
    chain_transition_wait_ms: number;
    chain_transition_service_ms: number;
    /**
     * Between its own calls and action, a chain step waiting while the store served other
     * branches' calls (PGlite runs them in this thread, and a transaction does not yield).
     */
    chain_blocked_by_other_calls_ms: number;
    timer_lateness_ms: number;
    /** The rest: the executor's own work (scheduling, validation, redaction, event-loop yields), steps off the planned chain. */
    other_ms: number;
  };
  /** Mean service time of a transition (its own cost, queueing excluded), and of all store calls. */
  transition_service_ms: number;
  transition_wait_ms: number;
}

export interface StepSplit {
  before_apply_ms: number;
  apply_beyond_declared_ms: number;
  after_apply_ms: number;
}

export interface RepResult {
  create_run_ms: number;
  wall_ms: number;
  status: string;
  store_calls: CallStats;
  /** Wall time during which at least one store call was pending. */
  store_busy_ms: number;
  events: Record<string, number>;
  adapter: AdapterCounts;
  timeline: Timeline;
}

export interface ExecutorOneResult {
  case: CaseName;
  store: StoreKind;
  steps: number;
  phases: number;
  groups: number[];
  edges: number;
  concurrency: number;
  /** The core's schedule.criticalPath.totalMs: the wall time of an executor with no overhead. */
  critical_path_ms: number;
  open_store_ms: number;
  warmups: RepResult[];
  runs: RepResult[];
}

/** One store call: when it started and ended; for a transition, its event type and step. */
interface Call {
  method: string;
  start: number;
  end: number;
  type?: string;
  step?: string | null;
}

/** Wraps a store: every method call recorded with its times, and the time any call was pending. */
function instrument(store: Store) {
  let calls: Call[] = [];
  let pending = 0;
  let busySince = 0;
  let busyMs = 0;
  const wrapped = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function" || typeof prop !== "string") return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => {
        const start = performance.now();
        if (pending++ === 0) busySince = start;
        try {
          return await method.apply(target, args);
        } finally {
          const end = performance.now();
          const event = prop === "transition" ? (args[1] as NewEvent) : undefined;
          calls.push({ method: prop, start, end, type: event?.type, step: event?.step_id });
          if (--pending === 0) busyMs += end - busySince;
        }
      };
    },
  });
  return {
    store: wrapped,
    reset() {
      calls = [];
      busyMs = 0;
    },
    take(): { calls: Call[]; busyMs: number } {
      return { calls, busyMs };
    },
  };
}

/**
 * Splits each call's time into waiting and service, as if the store served one call at a time in
 * the order they finish (PGlite is one connection; on PostgreSQL a run's transitions queue on its
 * row lock): service = end − max(start, previous end), wait = the rest.
 */
function serviceTimes(calls: readonly Call[]): Map<Call, { wait: number; service: number }> {
  const out = new Map<Call, { wait: number; service: number }>();
  let previousEnd = Number.NEGATIVE_INFINITY;
  for (const call of [...calls].sort((a, b) => a.end - b.end)) {
    const begin = Math.max(call.start, previousEnd);
    out.set(call, { wait: begin - call.start, service: call.end - begin });
    previousEnd = call.end;
  }
  return out;
}

/** The union of intervals, sorted and merged. */
function union(intervals: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = [];
  for (const [from, to] of [...intervals].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

/** How much of [from, to] the merged intervals cover. */
function overlap(merged: readonly [number, number][], from: number, to: number): number {
  let total = 0;
  for (const [a, b] of merged) {
    if (b <= from) continue;
    if (a >= to) break;
    total += Math.min(b, to) - Math.max(a, from);
  }
  return total;
}

function callStats(calls: readonly Call[]): CallStats {
  const stats: CallStats = {};
  for (const call of calls) {
    const s = stats[call.method] ?? { count: 0, ms: 0 };
    s.count++;
    s.ms += call.end - call.start;
    stats[call.method] = s;
  }
  return stats;
}

interface Observed {
  event: RunEvent;
  t: number;
}

async function main(): Promise<void> {
  const [caseArg, storeArg, repeatsArg = "5", warmupsArg = "1"] = process.argv.slice(2);
  const repeats = Number(repeatsArg);
  const warmups = Number(warmupsArg);
  if (
    (caseArg !== "noop" && caseArg !== "sleep") ||
    (storeArg !== "pglite" && storeArg !== "postgres" && storeArg !== "memory") ||
    !(repeats >= 1) ||
    !(warmups >= 0)
  ) {
    throw new Error("usage: executor-one.ts <noop|sleep> <pglite|postgres|memory> [repeats] [warmups]");
  }
  const caseName: CaseName = caseArg;
  const kind: StoreKind = storeArg;

  const bench = createBenchAdapter();
  const blueprint = caseName === "noop" ? noopBlueprint() : sleepBlueprint();
  const analysis = validateBlueprint(blueprint, { catalog: createCatalog(bench.adapter.actions) }).analysis;
  const schedule = analysis.schedule;
  if (!schedule) throw new Error(`${blueprint.id}: the core found no schedule`);
  const concurrency = blueprint.constraints?.max_parallelism ?? 4;

  // The store: one per process (pglite, postgres), or one per run (memory).
  let temp: string | undefined;
  let shared: Store | undefined;
  const t0 = performance.now();
  if (kind === "pglite") {
    temp = await mkdtemp(path.join(os.tmpdir(), "ma-bench-executor-"));
    shared = await openStore({ stateDir: path.join(temp, ".migration-architect") });
  } else if (kind === "postgres") {
    const url = process.env.MA_BENCH_STATE_URL;
    if (!url) throw new Error("MA_BENCH_STATE_URL is not set");
    shared = await openStore({ url });
  }
  const openStoreMs = performance.now() - t0;

  const phaseIds = schedule.phases.map((p) => analysis.blueprint.phases[p.phaseIndex]?.id ?? "");
  const stepIndex = new Map(analysis.steps.map((ref) => [ref.step.id, ref.index]));
  const declaredMs = analysis.steps.map((ref) => Number((ref.step.params as { ms?: number }).ms ?? 0));
  const onChain = new Set(schedule.criticalPath.steps);

  const once = async (): Promise<RepResult> => {
    const store = shared ?? new MemoryStore();
    const counting = instrument(store);
    const observed: Observed[] = [];
    const deps: ExecutorDeps = {
      store: counting.store,
      adapters: [bench.adapter],
      env: {},
      holder: `${process.pid}@bench`,
      observe: (event) => {
        observed.push({ event, t: performance.now() });
      },
    };
    const c0 = performance.now();
    const run = await createRun(deps, blueprint);
    const c1 = performance.now();
    counting.reset();
    bench.reset();
    observed.length = 0;
    const start = performance.now();
    const final = await executeRun(deps, run.id);
    const end = performance.now();
    if (final.status !== "completed") {
      throw new Error(`run ${run.id} ended ${final.status}, not completed`);
    }
    const { calls, busyMs } = counting.take();
    const events: Record<string, number> = {};
    for (const o of observed) events[o.event.type] = (events[o.event.type] ?? 0) + 1;
    return {
      create_run_ms: c1 - c0,
      wall_ms: end - start,
      status: final.status,
      store_calls: callStats(calls),
      store_busy_ms: busyMs,
      events,
      adapter: { ...bench.counts },
      timeline: timeline(observed, calls, start, end),
    };
  };

  const timeline = (observed: Observed[], calls: readonly Call[], start: number, end: number): Timeline => {
    const at = (type: string, phase: string) =>
      observed.find((o) => o.event.type === type && o.event.phase_id === phase)?.t ?? Number.NaN;
    const succeeded = new Map<string, number>();
    for (const o of observed)
      if (o.event.type === "step.succeeded" && o.event.step_id) succeeded.set(o.event.step_id, o.t);
    const started = phaseIds.map((id) => at("phase.started", id));
    const completed = phaseIds.map((id) => at("phase.completed", id));
    const lastSucceeded = schedule.phases.map((p) =>
      Math.max(...p.groups.flat().map((i) => succeeded.get(analysis.steps[i]?.step.id ?? "") ?? Number.NaN)),
    );
    const phaseSteps = lastSucceeded.map((t, k) => t - (started[k] as number));
    const steps: StepSplit = { before_apply_ms: 0, apply_beyond_declared_ms: 0, after_apply_ms: 0 };
    const chain = { ...steps, steps: 0 };
    const chainTimes: { id: string; ready: number; applyStart: number; applyEnd: number; done: number }[] =
      [];
    schedule.phases.forEach((p, k) => {
      for (const i of p.groups.flat()) {
        const id = analysis.steps[i]?.step.id ?? "";
        const ready = Math.max(
          started[k] as number,
          ...(analysis.dependencies.predecessors[i] ?? [])
            .filter((q) => analysis.steps[q]?.phaseIndex === p.phaseIndex)
            .map((q) => succeeded.get(analysis.steps[q]?.step.id ?? "") ?? Number.NaN),
        );
        const applyStart = bench.trace.start.get(id) ?? Number.NaN;
        const applyEnd = bench.trace.end.get(id) ?? Number.NaN;
        const split: StepSplit = {
          before_apply_ms: applyStart - ready,
          apply_beyond_declared_ms: applyEnd - applyStart - (declaredMs[stepIndex.get(id) ?? -1] ?? 0),
          after_apply_ms: (succeeded.get(id) ?? Number.NaN) - applyEnd,
        };
        for (const key of Object.keys(split) as (keyof StepSplit)[]) {
          steps[key] += split[key];
          if (onChain.has(i)) chain[key] += split[key];
        }
        if (onChain.has(i)) {
          chain.steps++;
          chainTimes.push({ id, ready, applyStart, applyEnd, done: succeeded.get(id) ?? Number.NaN });
        }
      }
    });
    const n = analysis.steps.length;
    const served = serviceTimes(calls);
    const windows = started.map((t, k) => [t, lastSucceeded[k] as number] as const);
    const outside = calls.filter((c) => !windows.some(([from, to]) => c.start >= from && c.end <= to));
    const chainIds = new Set(
      [...onChain].filter((i) => analysis.steps[i]).map((i) => analysis.steps[i]?.step.id as string),
    );
    const chainCalls = calls.filter(
      (c) => c.method === "transition" && c.type?.startsWith("step.") && chainIds.has(c.step ?? ""),
    );
    const transitions = calls.filter((c) => c.method === "transition");
    const of = (list: readonly Call[], key: "wait" | "service") =>
      list.reduce((total, c) => total + (served.get(c)?.[key] ?? 0), 0);
    // The chain steps' time outside their own transitions and actions, while the store was serving
    // other calls: the thread (PGlite runs in it) or the run's row lock busy with other branches.
    const busy = union(calls.map((c) => [c.start, c.end] as const));
    let blocked = 0;
    for (const t of chainTimes) {
      const mine = chainCalls.filter((c) => c.step === t.id);
      const running = mine.find((c) => c.type === "step.running");
      const done = mine.find((c) => c.type === "step.succeeded");
      if (!running || !done) continue;
      for (const [from, to] of [
        [t.ready, running.start],
        [running.end, t.applyStart],
        [t.applyEnd, done.start],
        [done.end, t.done],
      ] as const)
        blocked += overlap(busy, from, to);
    }
    const overhead = end - start - schedule.criticalPath.totalMs;
    const byCause = {
      store_outside_steps_ms: outside.reduce((total, c) => total + (c.end - c.start), 0),
      store_outside_steps_calls: outside.length,
      chain_transitions: chainCalls.length,
      chain_transition_wait_ms: of(chainCalls, "wait"),
      chain_transition_service_ms: of(chainCalls, "service"),
      chain_blocked_by_other_calls_ms: blocked,
      timer_lateness_ms: chain.apply_beyond_declared_ms,
      other_ms: 0,
    };
    byCause.other_ms =
      overhead -
      byCause.store_outside_steps_ms -
      byCause.chain_transition_wait_ms -
      byCause.chain_transition_service_ms -
      byCause.chain_blocked_by_other_calls_ms -
      byCause.timer_lateness_ms;
    return {
      setup_ms: (started[0] as number) - start,
      phase_steps_ms: phaseSteps,
      phase_excess_ms: phaseSteps.map((ms, k) => ms - (schedule.phases[k]?.lengthMs ?? 0)),
      intra_ms: completed.map((t, k) => t - (lastSucceeded[k] as number)),
      between_ms: completed.slice(0, -1).map((t, k) => (started[k + 1] as number) - t),
      tail_ms: end - (completed[completed.length - 1] as number),
      steps: {
        before_apply_ms: steps.before_apply_ms / n,
        apply_beyond_declared_ms: steps.apply_beyond_declared_ms / n,
        after_apply_ms: steps.after_apply_ms / n,
      },
      critical_chain: chain,
      by_cause: byCause,
      transition_service_ms: of(transitions, "service") / Math.max(1, transitions.length),
      transition_wait_ms: of(transitions, "wait") / Math.max(1, transitions.length),
    };
  };

  const warm: RepResult[] = [];
  const runs: RepResult[] = [];
  try {
    for (let r = 0; r < warmups; r++) warm.push(await once());
    for (let r = 0; r < repeats; r++) runs.push(await once());
  } finally {
    await shared?.close();
    if (temp) await rm(temp, { recursive: true, force: true });
  }

  const result: ExecutorOneResult = {
    case: caseName,
    store: kind,
    steps: analysis.steps.length,
    phases: schedule.phases.length,
    groups: schedule.phases.map((p) => p.groups.length),
    edges: blueprint.dependency_graph?.edges.length ?? 0,
    concurrency,
    critical_path_ms: schedule.criticalPath.totalMs,
    open_store_ms: openStoreMs,
    warmups: warm,
    runs,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
