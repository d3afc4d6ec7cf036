/**
 * The executor benchmark (`npm run bench:executor`, and part of `npm run bench`): what the
 * executor costs around the steps it runs, with the bench adapter (`executor-adapter.ts`), whose
 * actions cost nothing (`bench.noop`) or exactly what they declare (`bench.sleep`).
 *
 * 1. No-op: 1,000 `bench.noop` steps in ONE phase of 10 groups of 100 (100 chains of 10 steps,
 *    `executor-blueprints.ts`), default concurrency 4. Per-step overhead = executeRun's wall time
 *    / 1,000, and the store calls a step costs.
 * 2. Sleep: 41 `bench.sleep` steps of 50–200 ms in 4 phases of parallel branches. The bound is the
 *    core's critical path (`schedule.criticalPath.totalMs` of validateBlueprint's analysis, nothing
 *    added); efficiency = bound / executeRun's wall time. Goal: ≥ 90%. The median run's overhead
 *    (wall − bound) is split by window (setup, steps beyond their own time, intra checks,
 *    checkpoints between phases, the tail) and by cause (store calls outside the steps, the critical
 *    chain's transitions and their queueing, timer lateness, the rest).
 *
 * Each case runs with the PGlite store (a fresh temporary state directory), the PostgreSQL store
 * (a fresh database created from TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test
 * when reachable; skipped with a line saying so otherwise) and, as a reference that isolates the
 * executor's own cost, the in-memory store of the executor tests. Every (case, store) runs in a
 * fresh child process (`executor-one.ts`): one warm-up run, reported apart, then 5 measured runs;
 * figures are medians. Prints tables and writes every figure to bench/results/executor.json.
 */

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { CaseName, ExecutorOneResult, RepResult, StoreKind, Timeline } from "./executor-one.js";
import { median } from "./median.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = path.join(ROOT, "bench", "results");
const CHILD = path.join(ROOT, "bench", "executor-one.ts");
const MB = 1024 * 1024;

const REPEATS = 5;
const WARMUPS = 1;
const GOAL_EFFICIENCY = 0.9;
const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test";

const STORE_LABEL: Record<StoreKind, string> = {
  pglite: "PGlite (temp dir)",
  postgres: "PostgreSQL",
  memory: "memory (reference)",
};

/** Store calls that write. */
const WRITES = ["transition", "saveCheckpoint", "saveHealthCheck", "setHolder", "setStepProgress"];

// ---------------------------------------------------------------- figures of one (case, store)

interface NoopSummary {
  wall_ms: number;
  ms_per_step: number;
  transitions: number;
  transitions_per_step: number;
  step_transitions_per_step: number;
  store_writes_per_step: number;
  store_reads: number;
  store_busy_ms: number;
  store_busy_share: number;
  /** Store-busy time per transition: what one transition costs when they queue back to back. */
  busy_ms_per_transition: number;
  /** A transition's own time (service, queueing excluded) and its wait behind other calls, mean. */
  transition_service_ms: number;
  transition_wait_ms: number;
  /** Wall time with no store call pending, per step: the executor's own work between store calls. */
  outside_store_ms_per_step: number;
  setup_ms: number;
  tail_ms: number;
}

interface SleepSummary {
  wall_ms: number;
  critical_path_ms: number;
  efficiency: number;
  overhead_ms: number;
  transitions: number;
  transitions_per_step: number;
  /** The run whose wall time is the median: its wall time split, summing to its overhead. */
  median_run: {
    wall_ms: number;
    overhead_ms: number;
    setup_ms: number;
    steps_beyond_path_ms: number;
    intra_checks_ms: number;
    between_phases_ms: number;
    tail_ms: number;
    critical_chain: {
      steps: number;
      before_apply_ms: number;
      apply_beyond_declared_ms: number;
      after_apply_ms: number;
    };
    /** Store writes that the run waits for: all, minus the two transitions of each step off the critical chain. */
    writes_on_critical_path: number;
    /** Serial store reads (run, blueprint, events, checkpoints, step states, approvals). */
    reads: number;
    /** Mean duration of a transition call in this run, queueing included. */
    ms_per_transition: number;
    /** Mean service time of a transition (queueing excluded). */
    transition_service_ms: number;
    by_cause: Timeline["by_cause"];
  };
}

interface CaseRow {
  case: CaseName;
  store: StoreKind;
  label: string;
  steps: number;
  phases: number;
  groups: number[];
  edges: number;
  concurrency: number;
  critical_path_ms: number;
  open_store_ms: number;
  runs: number;
  wall_ms: number[];
  warmup_wall_ms: number[];
  noop?: NoopSummary;
  sleep?: SleepSummary;
  raw: { warmups: RepResult[]; runs: RepResult[] };
}

interface Skipped {
  case: CaseName;
  store: StoreKind;
  reason: string;
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const count = (r: RepResult, names: readonly string[]) => sum(names.map((n) => r.store_calls[n]?.count ?? 0));
const READS = (r: RepResult) =>
  sum(
    Object.entries(r.store_calls)
      .filter(([name]) => !WRITES.includes(name))
      .map(([, s]) => s.count),
  );

/** The run whose wall time is the median (the lower middle one for an even count). */
function medianRun(runs: readonly RepResult[]): RepResult {
  const sorted = [...runs].sort((a, b) => a.wall_ms - b.wall_ms);
  return sorted[(sorted.length - 1) >> 1] as RepResult;
}

function summarizeNoop(one: ExecutorOneResult): NoopSummary {
  const m = (f: (r: RepResult) => number) => median(one.runs.map(f));
  const n = one.steps;
  return {
    wall_ms: round(m((r) => r.wall_ms)),
    ms_per_step: round(
      m((r) => r.wall_ms / n),
      3,
    ),
    transitions: m((r) => count(r, ["transition"])),
    transitions_per_step: round(
      m((r) => count(r, ["transition"]) / n),
      3,
    ),
    step_transitions_per_step: round(
      m((r) => ((r.events["step.running"] ?? 0) + (r.events["step.succeeded"] ?? 0)) / n),
      3,
    ),
    store_writes_per_step: round(
      m((r) => count(r, WRITES) / n),
      3,
    ),
    store_reads: m(READS),
    store_busy_ms: round(m((r) => r.store_busy_ms)),
    store_busy_share: round(
      m((r) => r.store_busy_ms / r.wall_ms),
      3,
    ),
    busy_ms_per_transition: round(
      m((r) => r.store_busy_ms / count(r, ["transition"])),
      3,
    ),
    transition_service_ms: round(
      m((r) => r.timeline.transition_service_ms),
      3,
    ),
    transition_wait_ms: round(
      m((r) => r.timeline.transition_wait_ms),
      3,
    ),
    outside_store_ms_per_step: round(
      m((r) => (r.wall_ms - r.store_busy_ms) / n),
      3,
    ),
    setup_ms: round(m((r) => r.timeline.setup_ms)),
    tail_ms: round(m((r) => r.timeline.tail_ms)),
  };
}

function summarizeSleep(one: ExecutorOneResult): SleepSummary {
  const bound = one.critical_path_ms;
  const wall = median(one.runs.map((r) => r.wall_ms));
  const mid = medianRun(one.runs);
  const t = mid.timeline;
  const chain = t.critical_chain;
  const transitions = count(mid, ["transition"]);
  return {
    wall_ms: round(wall),
    critical_path_ms: bound,
    efficiency: round(bound / wall, 4),
    overhead_ms: round(wall - bound),
    transitions: median(one.runs.map((r) => count(r, ["transition"]))),
    transitions_per_step: round(median(one.runs.map((r) => count(r, ["transition"]) / one.steps)), 3),
    median_run: {
      wall_ms: round(mid.wall_ms),
      overhead_ms: round(mid.wall_ms - bound),
      setup_ms: round(t.setup_ms),
      steps_beyond_path_ms: round(sum(t.phase_excess_ms)),
      intra_checks_ms: round(sum(t.intra_ms)),
      between_phases_ms: round(sum(t.between_ms)),
      tail_ms: round(t.tail_ms),
      critical_chain: {
        steps: chain.steps,
        before_apply_ms: round(chain.before_apply_ms),
        apply_beyond_declared_ms: round(chain.apply_beyond_declared_ms),
        after_apply_ms: round(chain.after_apply_ms),
      },
      writes_on_critical_path: count(mid, WRITES) - 2 * (one.steps - chain.steps),
      reads: READS(mid),
      ms_per_transition: round((mid.store_calls.transition?.ms ?? 0) / Math.max(1, transitions), 3),
      transition_service_ms: round(t.transition_service_ms, 3),
      by_cause: Object.fromEntries(
        Object.entries(t.by_cause).map(([k, v]) => [k, round(v)]),
      ) as Timeline["by_cause"],
    },
  };
}

// ---------------------------------------------------------------- running the children

function runChild(c: CaseName, store: StoreKind, env: NodeJS.ProcessEnv = {}): ExecutorOneResult {
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", CHILD, c, store, String(REPEATS), String(WARMUPS)],
    {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 64 * MB,
      env: { ...process.env, ...env },
      timeout: 10 * 60_000,
    },
  );
  if (child.error) throw child.error;
  if (child.status !== 0) {
    throw new Error(`executor-one.ts failed for ${c} on ${store}: exit ${child.status ?? child.signal}`);
  }
  const last = child.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as ExecutorOneResult;
}

/** Where PostgreSQL is, without the password. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ""}${u.host}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The admin URL when a server answers there, or why not. */
async function postgresAdmin(): Promise<{ url: string } | { reason: string }> {
  const url = process.env.TEST_DATABASE_URL || DEFAULT_ADMIN_URL;
  try {
    await admin(url, "select 1");
    return { url };
  } catch (error) {
    const from = process.env.TEST_DATABASE_URL ? "TEST_DATABASE_URL" : "the default";
    return {
      reason: `no PostgreSQL at ${describeUrl(url)} (${from}): ${(error as Error).message}`,
    };
  }
}

/** Runs one case on a fresh database of its own, dropped afterwards. */
async function onFreshDatabase(adminUrl: string, c: CaseName): Promise<ExecutorOneResult> {
  const name = `ma_bench_executor_${randomBytes(6).toString("hex")}`;
  await admin(adminUrl, `create database ${name}`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return runChild(c, "postgres", { MA_BENCH_STATE_URL: url.toString() });
  } finally {
    await admin(adminUrl, `drop database if exists ${name} with (force)`);
  }
}

function toRow(one: ExecutorOneResult): CaseRow {
  return {
    case: one.case,
    store: one.store,
    label: STORE_LABEL[one.store],
    steps: one.steps,
    phases: one.phases,
    groups: one.groups,
    edges: one.edges,
    concurrency: one.concurrency,
    critical_path_ms: one.critical_path_ms,
    open_store_ms: round(one.open_store_ms),
    runs: one.runs.length,
    wall_ms: one.runs.map((r) => round(r.wall_ms)),
    warmup_wall_ms: one.warmups.map((r) => round(r.wall_ms)),
    ...(one.case === "noop" ? { noop: summarizeNoop(one) } : { sleep: summarizeSleep(one) }),
    raw: { warmups: one.warmups, runs: one.runs },
  };
}

// ---------------------------------------------------------------- printing

function table(header: string[], body: string[][], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i < leftColumns ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number),
      )
      .join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

const ms = (n: number, digits = 1) => n.toFixed(digits);
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;

function noopTable(rows: CaseRow[]): string {
  const pglite = rows.find((r) => r.store === "pglite")?.noop;
  return table(
    [
      "store",
      "wall ms (median)",
      "ms/step",
      "vs PGlite",
      "transitions/step",
      "store writes/step",
      "store busy",
      "transition ms (own + queued)",
      "outside store ms/step",
      "runs",
    ],
    rows.map((r) => {
      const s = r.noop as NoopSummary;
      return [
        r.label,
        ms(s.wall_ms),
        ms(s.ms_per_step, 3),
        pglite ? `${(s.ms_per_step / pglite.ms_per_step).toFixed(2)}×` : "—",
        s.transitions_per_step.toFixed(3),
        s.store_writes_per_step.toFixed(3),
        pct(s.store_busy_share),
        `${ms(s.transition_service_ms, 2)} + ${ms(s.transition_wait_ms, 2)}`,
        ms(s.outside_store_ms_per_step, 3),
        String(r.runs),
      ];
    }),
  );
}

function sleepTable(rows: CaseRow[]): string {
  return table(
    [
      "store",
      "critical path ms",
      "wall ms (median)",
      "wall ms (min–max)",
      "efficiency",
      "overhead ms",
      `goal ≥ ${pct(GOAL_EFFICIENCY)}`,
      "runs",
    ],
    rows.map((r) => {
      const s = r.sleep as SleepSummary;
      return [
        r.label,
        String(s.critical_path_ms),
        ms(s.wall_ms),
        `${ms(Math.min(...r.wall_ms))}–${ms(Math.max(...r.wall_ms))}`,
        pct(s.efficiency),
        ms(s.overhead_ms),
        s.efficiency >= GOAL_EFFICIENCY ? "met" : "NOT met",
        String(r.runs),
      ];
    }),
  );
}

function breakdownTable(rows: CaseRow[]): string {
  const m = (r: CaseRow) => (r.sleep as SleepSummary).median_run;
  const c = (r: CaseRow) => m(r).by_cause;
  const chainSteps = rows[0] ? m(rows[0]).critical_chain.steps : 0;
  const lines: [string, (r: CaseRow) => string][] = [
    ["wall ms of the median run", (r) => ms(m(r).wall_ms)],
    ["overhead = wall − critical path", (r) => ms(m(r).overhead_ms)],
    ["by window:", () => ""],
    ["  setup: session, source checkpoint, pre check, 1st checkpoint", (r) => ms(m(r).setup_ms)],
    ["  steps beyond the critical path (Σ phases)", (r) => ms(m(r).steps_beyond_path_ms)],
    [
      `    critical chain (${chainSteps} steps): ready → apply (step.running)`,
      (r) => ms(m(r).critical_chain.before_apply_ms),
    ],
    [
      "    critical chain: sleep beyond its ms (timer lateness)",
      (r) => ms(m(r).critical_chain.apply_beyond_declared_ms),
    ],
    [
      "    critical chain: apply → done (verify, step.succeeded)",
      (r) => ms(m(r).critical_chain.after_apply_ms),
    ],
    ["  intra checks + phase.completed (Σ phases)", (r) => ms(m(r).intra_checks_ms)],
    ["  between phases: snapshot, checkpoint, phase.started", (r) => ms(m(r).between_phases_ms)],
    ["  tail: post check, run.completed, release", (r) => ms(m(r).tail_ms)],
    ["by cause:", () => ""],
    [
      "  store calls outside the steps (setup, checks, checkpoints, tail)",
      (r) => `${ms(c(r).store_outside_steps_ms)} (${c(r).store_outside_steps_calls} calls)`,
    ],
    [
      "  critical chain's transitions: own time",
      (r) => `${ms(c(r).chain_transition_service_ms)} (${c(r).chain_transitions} calls)`,
    ],
    [
      "  critical chain's transitions: queued behind other branches' calls",
      (r) => ms(c(r).chain_transition_wait_ms),
    ],
    [
      "  critical chain, between its calls: store serving other branches",
      (r) => ms(c(r).chain_blocked_by_other_calls_ms),
    ],
    ["  timer lateness (critical chain)", (r) => ms(c(r).timer_lateness_ms)],
    ["  the rest: executor CPU, scheduling, event-loop yields", (r) => ms(c(r).other_ms)],
    [
      "store writes the run waits for / serial reads",
      (r) => `${m(r).writes_on_critical_path} / ${m(r).reads}`,
    ],
    [
      "transition ms: own (service) / call incl. queueing",
      (r) => `${ms(m(r).transition_service_ms, 2)} / ${ms(m(r).ms_per_transition, 2)}`,
    ],
  ];
  return table(
    ["where the sleep run's time goes (median run, ms)", ...rows.map((r) => r.label)],
    lines.map(([label, f]) => [label, ...rows.map(f)]),
  );
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  const cpus = os.cpus();
  console.log(
    `executor benchmark: node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "unknown cpu"}, ` +
      `${REPEATS} runs + ${WARMUPS} warm-up per case and store`,
  );

  const loadBefore = os.loadavg();
  console.log(
    `  load average ${loadBefore.map((l) => l.toFixed(2)).join(", ")} on ${cpus.length} CPUs` +
      (loadBefore[0] !== undefined && loadBefore[0] > cpus.length / 2
        ? " — the machine is busy: times will be inflated"
        : ""),
  );

  const postgres = await postgresAdmin();
  if ("reason" in postgres) console.log(`  PostgreSQL: skipped — ${postgres.reason}`);
  else console.log(`  PostgreSQL: fresh databases from ${describeUrl(postgres.url)}`);

  const rows: CaseRow[] = [];
  const skipped: Skipped[] = [];
  const stores: StoreKind[] = ["pglite", "postgres", "memory"];
  for (const c of ["noop", "sleep"] as const) {
    for (const store of stores) {
      if (store === "postgres" && "reason" in postgres) {
        skipped.push({ case: c, store, reason: postgres.reason });
        continue;
      }
      process.stdout.write(`  ${c} on ${STORE_LABEL[store]}… `);
      const one =
        store === "postgres" && "url" in postgres
          ? await onFreshDatabase(postgres.url, c)
          : runChild(c, store);
      const row = toRow(one);
      console.log(
        `warm-up ${row.warmup_wall_ms.join(", ")} ms; runs ${row.wall_ms.join(", ")} ms (store opened in ${row.open_store_ms} ms)`,
      );
      rows.push(row);
    }
  }

  const noop = rows.filter((r) => r.case === "noop");
  const sleep = rows.filter((r) => r.case === "sleep");
  const n0 = noop[0];
  const s0 = sleep[0];

  console.log("");
  if (n0) {
    console.log(
      `no-op: ${n0.steps.toLocaleString("en-US")} steps in 1 phase of ${n0.groups[0]} groups of ${n0.steps / (n0.groups[0] ?? 1)} ` +
        `(${n0.edges} edges), concurrency ${n0.concurrency}`,
    );
    console.log(noopTable(noop));
    console.log("");
  }
  if (s0) {
    console.log(
      `sleep: ${s0.steps} steps of 50–200 ms in ${s0.phases} phases (groups per phase: ${s0.groups.join(", ")}), ` +
        `concurrency ${s0.concurrency}; bound = the core's critical path, ${s0.critical_path_ms} ms`,
    );
    console.log(sleepTable(sleep));
    console.log("");
    console.log(breakdownTable(sleep));
    console.log("");
  }
  for (const s of skipped) console.log(`skipped: ${s.case} on PostgreSQL — ${s.reason}`);

  const product = sleep.filter((r) => r.store !== "memory");
  const allMet = product.every((r) => (r.sleep as SleepSummary).efficiency >= GOAL_EFFICIENCY);
  console.log(
    `goal efficiency ≥ ${pct(GOAL_EFFICIENCY)} with the product stores: ${allMet ? "met" : "NOT met"} (` +
      product.map((r) => `${r.label} ${pct((r.sleep as SleepSummary).efficiency)}`).join(", ") +
      ")",
  );

  const pglite = noop.find((r) => r.store === "pglite")?.noop;
  const pgNoop = noop.find((r) => r.store === "postgres")?.noop;
  const memory = noop.find((r) => r.store === "memory")?.noop;
  const report = {
    benchmark: "executor",
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu_count: cpus.length,
    cpu_model: cpus[0]?.model ?? "unknown",
    total_memory_mb: Math.round(os.totalmem() / MB),
    /** os.loadavg() (1, 5, 15 min) when the benchmark started and ended: other work on the machine. */
    load_average: { start: loadBefore.map((l) => round(l, 2)), end: os.loadavg().map((l) => round(l, 2)) },
    repeats: REPEATS,
    warmups: WARMUPS,
    units: { time: "ms", efficiency: "critical path / wall time (0–1)" },
    method: {
      wall: "executeRun() from call to return (createRun and opening the store are not included)",
      noop: "1,000 bench.noop steps, one phase, 10 groups (topological levels) of 100: 100 chains of 10",
      sleep:
        "41 bench.sleep steps (50–200 ms, estimated_duration = the sleep) in 4 phases of up to 4 parallel branches",
      bound: "validateBlueprint(...).analysis.schedule.criticalPath.totalMs, nothing added",
      medians: "over the measured runs; the breakdown is of the run whose wall time is the median",
      memory_store:
        "test/support/memory-store.ts, a fresh one per run: a reference for the executor's own cost, not a product store",
    },
    postgres: "url" in postgres ? { admin: describeUrl(postgres.url) } : { skipped: postgres.reason },
    ratios: {
      noop_ms_per_step_postgres_vs_pglite:
        pglite && pgNoop ? round(pgNoop.ms_per_step / pglite.ms_per_step, 3) : null,
      noop_ms_per_step_pglite_vs_memory:
        pglite && memory ? round(pglite.ms_per_step / memory.ms_per_step, 2) : null,
    },
    goal: {
      efficiency: GOAL_EFFICIENCY,
      met: allMet,
      values: Object.fromEntries(product.map((r) => [r.store, (r.sleep as SleepSummary).efficiency])),
    },
    cases: rows,
    skipped,
  };
  const out = path.join(RESULTS, "executor.json");
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(ROOT, out)}`);
}

await main();
