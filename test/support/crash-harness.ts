/**
 * The crash/resume reliability harness (issue 3; DESIGN.md §6: "a run killed at any instant can be
 * resumed and ends in the target state, or rolled back in the source state — never with a
 * half-applied step, never with a row lost").
 *
 * Each trial runs a four-phase blueprint (test/fixtures/crash/blueprint.yaml) through the real CLI
 * in a child process (`node --import tsx src/cli/main.ts run … --json --approve …`) on its own copy
 * of a small PGlite database (`CRASH_DB_URL=pglite:DIR`) and its own state directory, kills it with
 * SIGKILL at a random instant, finds the run (from the events it printed, else `status --json`),
 * resumes it (`resume RUN --json`, again while it ends waiting), then opens the database in this
 * process and checks the invariant:
 *
 * - the run `completed`, and the database equals an uninterrupted run's result (schema fingerprint
 *   and every table's checksum, from `snapshotPostgres`), the dropped column's values all in its
 *   backup table; or
 * - the run `rolled_back`, or was never created, and the database equals the source;
 * - and no table has fewer rows than in the source.
 *
 * Anything else — a run that ends `failed` or waiting, a state between the two — is a violation,
 * reported with the trial's evidence (the kill, the last event the killed child printed, the
 * resumes, the run's event log, the database's facts), and the trial's directory is kept.
 *
 * Two blueprints: `forward` (completes) and `rollback` (the same with a post check that always
 * fails, so that every run ends in a full automatic rollback and kills land in rollbacks too).
 * One trial in five starts without a state directory ("cold": the kill may land in PGlite's initdb
 * or the store's migrations); the others with a copy of an initialised one.
 *
 * Kill instants: half the trials draw uniformly over an uninterrupted run's whole life (spawn →
 * exit, measured first, the same number of runs at a time as the trials); the other half
 * uniformly over its active part, counted from the first event the child prints — node, tsx and
 * PGlite take most of a child's life to start, and that start varies with the machine's load.
 * Everything random comes from one seeded PRNG (`CRASH_SEED`, printed), so a failing trial can be
 * replayed (its instant in ms depends on the timings measured on the machine, printed with it).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseDocument } from "yaml";
import { pgConnection } from "../../src/adapters/postgres/connection.js";
import { snapshotPostgres } from "../../src/adapters/postgres/snapshot.js";
import type { Snapshot } from "../../src/adapters/types.js";
import type { RunEvent, RunRecord, RunStatus } from "../../src/store/types.js";
import { type CrashBackend, type Place, pgliteBackend, postgresBackend } from "./crash-backends.js";

const ROOT = join(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "src", "cli", "main.ts");
const FIXTURES = join(ROOT, "test", "fixtures", "crash");
const COMPONENT = "crash-db";
/** The step of the blueprint that needs an approval, given on the command line. */
const APPROVE = "drop-legacy-code";
const TERMINAL: ReadonlySet<RunStatus> = new Set(["completed", "rolled_back", "failed"]);
/** Events that may end a run (an incident ends a rollback; run.aborted a failed pre check). */
const ENDING_EVENTS: ReadonlySet<string> = new Set([
  "run.completed",
  "run.rolled_back",
  "run.failed",
  "run.aborted",
  "incident",
]);
/** The blueprint's named checkpoints, by the phase they follow. */
const NAMED_CHECKPOINTS: Readonly<Record<string, string>> = {
  expand: "cp-expanded",
  backfill: "cp-backfilled",
  index: "cp-indexed",
};
/** How long any one child may take before it is called hung. */
const CHILD_TIMEOUT_MS = 120_000;
/** Resumes of one trial before it is called stuck. */
const MAX_RESUMES = 4;

export type Variant = "forward" | "rollback";
export type KillWindow = "whole" | "active";

/** One trial, drawn before anything runs (so that the seed alone decides it). */
export interface TrialPlan {
  index: number;
  variant: Variant;
  /** No state directory before the run (the store is created by it). */
  cold: boolean;
  window: KillWindow;
  /** Where in the window the kill lands, in [0, 1). */
  at: number;
}

export type KillLanded = "before_run" | "during" | "after_completion";
export type Outcome = "completed" | "rolled_back" | "no_run";

export interface TrialResult {
  plan: TrialPlan;
  kill: KillAt;
  landed: KillLanded;
  /** The run's status right after the kill, before any resume (or "under way" from its events). */
  statusAfterKill: string;
  lastEventBeforeKill: string;
  runId: string | undefined;
  resumes: number;
  finalStatus: RunStatus | "none";
  /** Set when the invariant holds. */
  outcome: Outcome | undefined;
  rowsLost: number;
  violations: string[];
  /** Worth a look, though the invariant holds (a forward run that rolled back, a checkpoint lost). */
  notes: string[];
  durationMs: number;
  /** Where the trial's time went: copy, run, status, resume, read, inspect (ms). */
  timings: Record<string, number>;
  place: Place;
  /** The run's event log, `seq type [step|check]`. */
  events: string[];
  /** What happened, step by step: printed for a violation. */
  evidence: string;
}

export interface HarnessSummary {
  backend: CrashBackend["name"];
  seed: number;
  trials: number;
  concurrency: number;
  landed: Record<KillLanded, number>;
  outcomes: Record<Outcome, number>;
  /** Outcomes of the forward blueprint's trials and the rollback blueprint's. */
  byVariant: Record<Variant, Record<Outcome | "violation", number>>;
  resumes: number;
  rowsLost: number;
  violations: { trial: number; where: string; messages: string[]; evidence: string }[];
  notes: { trial: number; message: string }[];
  references: Record<string, { totalMs: number; firstEventMs: number }>;
  wallMs: number;
  trialMs: { median: number; max: number };
}

export interface HarnessOptions {
  trials: number;
  /**
   * A PostgreSQL server (an admin URL) to hold each trial's target database and run state, made
   * with `CREATE DATABASE … TEMPLATE`; PGlite directories without it.
   */
  postgresUrl?: string;
  seed: number;
  /** Trials at a time (default 2). */
  concurrency?: number;
  /** Run only these trial indexes of the seed's plan (replaying a failure). */
  only?: readonly number[];
  /** Keep every trial's directory, not only the failed ones. */
  keep?: boolean;
  log?: (line: string) => void;
}

/** mulberry32: small, fast and good enough to draw kill instants from a printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `CRASH_SEED` when set, else a fresh one. */
export function seedFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const text = env.CRASH_SEED?.trim();
  if (text) {
    const seed = Number(text);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new Error(`CRASH_SEED must be an integer in [0, 2^32): ${text}`);
    return seed;
  }
  return Math.floor(Math.random() * 0x100000000);
}

export function planTrials(seed: number, trials: number): TrialPlan[] {
  const random = prng(seed);
  return Array.from({ length: trials }, (_, index) => ({
    index,
    variant: random() < 0.5 ? "forward" : "rollback",
    cold: random() < 0.2,
    window: random() < 0.5 ? "whole" : "active",
    at: random(),
  }));
}

// ---------------------------------------------------------------------------------------------
// Children

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The JSON events printed, in order. */
  events: RunEvent[];
  firstEventMs: number | undefined;
  totalMs: number;
  /** Whether this harness killed it (false: it had exited by itself before the instant came). */
  killed: boolean;
  timedOut: boolean;
}

function cliEnv(place: Place): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CRASH_DB_URL: place.dbUrl, NO_COLOR: "1" };
  delete env.MA_STATE_URL;
  delete env.FORCE_COLOR;
  return { ...env, ...place.env };
}

/**
 * When to SIGKILL a child: so many ms after spawning it, or after it printed its first event (the
 * run is under way: its source checkpoint is taken and it is `running`).
 */
export type KillAt = { afterSpawnMs: number } | { afterFirstEventMs: number };

/** Runs the CLI in a child, killed with SIGKILL at `kill` if it is still alive then. */
function cli(args: string[], place: Place, kill?: KillAt): Promise<ChildOutcome> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ["--import", "tsx", CLI, ...args, ...place.args], {
        cwd: ROOT,
        env: cliEnv(place),
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      reject(error);
      return;
    }
    let stdout = "";
    let stderr = "";
    let firstEventMs: number | undefined;
    let killed = false;
    let timedOut = false;
    const alive = () => child.exitCode === null && child.signalCode === null;
    const killNow = () => {
      if (alive()) killed = child.kill("SIGKILL");
    };
    let killTimer: NodeJS.Timeout | undefined;
    if (kill && "afterSpawnMs" in kill) killTimer = setTimeout(killNow, kill.afterSpawnMs);
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      if (firstEventMs === undefined && chunk.includes('"run_id"')) {
        firstEventMs = performance.now() - started;
        if (kill && "afterFirstEventMs" in kill) killTimer = setTimeout(killNow, kill.afterFirstEventMs);
      }
      stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const hangTimer = setTimeout(() => {
      if (alive()) {
        timedOut = true;
        child.kill("SIGKILL");
      }
    }, CHILD_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(killTimer);
      clearTimeout(hangTimer);
      resolvePromise({
        code,
        signal,
        stdout,
        stderr,
        events: parseEvents(stdout),
        firstEventMs,
        totalMs: performance.now() - started,
        killed,
        timedOut,
      });
    });
  });
}

/** The JSON event lines of a child's stdout; a line cut by the kill is left out. */
function parseEvents(stdout: string): RunEvent[] {
  const out: RunEvent[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const value = JSON.parse(line) as RunEvent;
      if (typeof value.run_id === "string" && typeof value.seq === "number") out.push(value);
    } catch {
      // the last line, cut in the middle by SIGKILL
    }
  }
  return out;
}

/** Every run of a place's state with its event log, read in this process (no child holds it). */
async function readRuns(backend: CrashBackend, place: Place) {
  const store = await backend.openStore(place);
  try {
    const out = [];
    for (const run of await store.listRuns()) {
      out.push({
        run,
        events: await store.events(run.id),
        checkpoints: (await store.getCheckpoints(run.id)).map((c) => c.checkpoint_id),
      });
    }
    return out;
  } finally {
    await store.close();
  }
}

const tail = (text: string, lines = 6) => text.trim().split("\n").slice(-lines).join("\n");

// ---------------------------------------------------------------------------------------------
// The database, seen from this process

interface DbState {
  snapshot: Snapshot;
  /** Rows per table, from the checksums (`<rows>:<md5>`). */
  rows: Record<string, number>;
  facts: DbFacts;
}

interface DbFacts {
  legacyColumn: boolean;
  emailVerifiedColumn: boolean;
  shippedAtColumn: boolean;
  index: boolean;
  /** Customers whose email_verified is not (id % 3 = 0), when the column exists. */
  wrongVerified: number | null;
  /** Orders whose shipped_at is not created_at + 2 days for shipped ones and NULL otherwise. */
  wrongShipped: number | null;
  /** `md5` of every (id, legacy_code) in id order, from the column or from its backup table. */
  legacyDigest: string | null;
  legacyBackupRows: number | null;
}

const LEGACY_DIGEST = (table: string) =>
  `SELECT count(*)::int AS n,
          md5(string_agg(id::text || ':' || coalesce(legacy_code, '<null>'), ',' ORDER BY id)) AS digest
     FROM ${table}`;

async function inspectDb(backend: CrashBackend, place: Place): Promise<DbState> {
  const db = await backend.openDb(place);
  const client = db.client;
  try {
    const connection = pgConnection(client, place.where, db.lockScope);
    const snapshot = await snapshotPostgres(connection, COMPONENT);
    const rows = Object.fromEntries(
      Object.entries(snapshot.checksums).map(([table, sum]) => [table, Number(sum.split(":")[0])]),
    );
    const one = async <T>(sql: string): Promise<T> => (await client.query<T>(sql)).rows[0] as T;
    const columns = await client.query<{ t: string; c: string }>(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const has = (t: string, c: string) => columns.rows.some((r) => r.t === t && r.c === c);
    const facts: DbFacts = {
      legacyColumn: has("customers", "legacy_code"),
      emailVerifiedColumn: has("customers", "email_verified"),
      shippedAtColumn: has("orders", "shipped_at"),
      index:
        (
          await one<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'customers_email_verified_idx'",
          )
        ).n > 0,
      wrongVerified: has("customers", "email_verified")
        ? (
            await one<{ n: number }>(
              "SELECT count(*)::int AS n FROM customers WHERE email_verified IS DISTINCT FROM (id % 3 = 0)",
            )
          ).n
        : null,
      wrongShipped: has("orders", "shipped_at")
        ? (
            await one<{ n: number }>(
              `SELECT count(*)::int AS n FROM orders
                WHERE shipped_at IS DISTINCT FROM
                      CASE WHEN status = 'shipped' THEN created_at + interval '2 days' END`,
            )
          ).n
        : null,
      legacyDigest: null,
      legacyBackupRows: null,
    };
    const backup = has("ma_backup_customers_legacy_code", "legacy_code");
    if (facts.legacyColumn) {
      facts.legacyDigest = (await one<{ digest: string }>(LEGACY_DIGEST("customers"))).digest;
    } else if (backup) {
      const b = await one<{ n: number; digest: string }>(LEGACY_DIGEST("ma_backup_customers_legacy_code"));
      facts.legacyDigest = b.digest;
      facts.legacyBackupRows = b.n;
    }
    return { snapshot, rows, facts };
  } finally {
    await db.close();
  }
}

/** What differs between two snapshots: the fingerprint, and the tables whose checksum differs. */
function snapshotDifferences(expected: Snapshot, actual: Snapshot): string[] {
  const out: string[] = [];
  if (expected.fingerprint !== actual.fingerprint) out.push("schema fingerprint");
  const tables = new Set([...Object.keys(expected.checksums), ...Object.keys(actual.checksums)]);
  for (const t of [...tables].sort()) {
    if (expected.checksums[t] !== actual.checksums[t])
      out.push(`${t} (${expected.checksums[t] ?? "absent"} → ${actual.checksums[t] ?? "absent"})`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Preparation: templates and reference runs

interface Reference {
  totalMs: number;
  firstEventMs: number;
}

interface Prepared {
  work: string;
  backend: CrashBackend;
  blueprints: Record<Variant, string>;
  source: DbState;
  target: DbState;
  references: Record<`${Variant}/${"cold" | "warm"}`, Reference>;
}

/** The rollback blueprint: the forward one with a post check that always fails, under its own id. */
export function rollbackBlueprint(text: string): string {
  const doc = parseDocument(text);
  doc.setIn(["blueprint", "id"], "bp-crash-resume-rollback");
  doc.setIn(["blueprint", "name"], "The crash harness's migration, rolled back by a failing post check");
  const checks = doc.getIn(["blueprint", "phases", 3, "health_checks"]) as { add(v: unknown): void };
  checks.add(
    doc.createNode({
      id: "deliberately-failing",
      type: "functional",
      stage: "post",
      component: COMPONENT,
      params: { sql: "SELECT count(*) FROM customers", expect: 1999 },
    }),
  );
  return doc.toString({ lineWidth: 0 });
}

async function prepare(
  work: string,
  backend: CrashBackend,
  concurrency: number,
  log: (line: string) => void,
): Promise<Prepared> {
  const forwardText = await readFile(join(FIXTURES, "blueprint.yaml"), "utf8");
  const blueprints: Record<Variant, string> = {
    forward: join(FIXTURES, "blueprint.yaml"),
    rollback: join(work, "blueprint-rollback.yaml"),
  };
  await writeFile(blueprints.rollback, rollbackBlueprint(forwardText));

  // The source database, created and seeded once, closed (so that it copies cleanly), and a
  // state initialised by the CLI (PGlite's initdb and the store's migrations done).
  const scripts = await Promise.all(
    ["schema.sql", "seed.sql"].map((f) => readFile(join(FIXTURES, f), "utf8")),
  );
  await backend.setup(scripts, async (place) => {
    const init = await cli(["status", "--json"], place);
    if (init.code !== 0) throw new Error(`cannot initialise a run state: ${tail(init.stderr)}`);
  });

  const sourceCopy = await backend.place("source-copy", false);
  const source = await inspectDb(backend, sourceCopy);
  // Twice: the copy opened in this process, then closed, must read the same.
  const again = await inspectDb(backend, sourceCopy);
  if (snapshotDifferences(source.snapshot, again.snapshot).length)
    throw new Error("the source database does not read the same twice");
  await backend.dispose(sourceCopy);

  // Uninterrupted runs of both blueprints, warm then cold, `concurrency` at a time as the trials
  // will run: their durations set the kill windows, the forward one's result is the target.
  const references = {} as Prepared["references"];
  let target: DbState | undefined;
  const kinds = (["warm", "cold"] as const).flatMap((t) =>
    (["forward", "rollback"] as const).map((v) => [v, t] as const),
  );
  const runReference = async ([variant, temp]: readonly [Variant, "warm" | "cold"]) => {
    const place = await backend.place(`reference-${variant}-${temp}`, temp === "warm");
    const r = await cli(["run", blueprints[variant], "--json", "--approve", APPROVE], place);
    const status = (await readRuns(backend, place))[0]?.run.status;
    const expected = variant === "forward" ? "completed" : "rolled_back";
    if (status !== expected || r.firstEventMs === undefined)
      throw new Error(
        `the uninterrupted ${variant} run (${temp}) ended ${status} (exit ${r.code}), not ${expected}: ${tail(r.stderr)}`,
      );
    const state = await inspectDb(backend, place);
    if (variant === "forward" && temp === "warm") target = state;
    if (variant === "rollback") {
      const diff = snapshotDifferences(source.snapshot, state.snapshot);
      if (diff.length)
        throw new Error(`the uninterrupted rollback run does not restore the source: ${diff.join(", ")}`);
    }
    references[`${variant}/${temp}`] = { totalMs: r.totalMs, firstEventMs: r.firstEventMs };
    log(
      `reference ${variant}/${temp}: ${Math.round(r.totalMs)} ms, first event at ${Math.round(r.firstEventMs)} ms, ${r.events.length} events`,
    );
    await backend.dispose(place);
  };
  for (let i = 0; i < kinds.length; i += concurrency)
    await Promise.all(kinds.slice(i, i + concurrency).map(runReference));
  if (!target) throw new Error("no reference result");
  const f = (target as DbState).facts;
  if (
    f.legacyColumn ||
    !f.index ||
    f.wrongVerified !== 0 ||
    f.wrongShipped !== 0 ||
    f.legacyDigest !== source.facts.legacyDigest
  )
    throw new Error(`the uninterrupted forward run's result is not the target: ${JSON.stringify(f)}`);
  return { work, backend, blueprints, source, target, references };
}

/**
 * When a trial's kill comes. `whole`: uniformly over an uninterrupted run's life, from spawning
 * it to its exit. `active`: uniformly from its first event to its exit (plus a little, so that
 * some kills find it done), counted from the first event this child prints: the run's part of a
 * child's life is short beside node's, tsx's and PGlite's start, and the start's duration varies
 * with the machine's load.
 */
function killOf(plan: TrialPlan, prepared: Prepared): KillAt {
  const ref = prepared.references[`${plan.variant}/${plan.cold ? "cold" : "warm"}`];
  return plan.window === "whole"
    ? { afterSpawnMs: Math.round(plan.at * ref.totalMs) }
    : { afterFirstEventMs: Math.round(plan.at * (ref.totalMs - ref.firstEventMs + 50)) };
}

const describeKill = (kill: KillAt) =>
  "afterSpawnMs" in kill
    ? `${kill.afterSpawnMs} ms after spawn`
    : `${kill.afterFirstEventMs} ms after the first event`;

// ---------------------------------------------------------------------------------------------
// One trial

async function runTrial(plan: TrialPlan, prepared: Prepared): Promise<TrialResult> {
  const started = performance.now();
  const place = await prepared.backend.place(`trial-${String(plan.index).padStart(4, "0")}`, !plan.cold);
  const kill = killOf(plan, prepared);
  const timings: Record<string, number> = {};
  let mark = started;
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - mark);
    mark = now;
  };
  lap("copy");
  const result: TrialResult = {
    plan,
    kill,
    landed: "before_run",
    statusAfterKill: "no run",
    lastEventBeforeKill: "-",
    runId: undefined,
    resumes: 0,
    finalStatus: "none",
    outcome: undefined,
    rowsLost: 0,
    violations: [],
    notes: [],
    durationMs: 0,
    timings,
    place,
    events: [],
    evidence: "",
  };
  const evidence: string[] = [];

  // 1. The run, killed.
  const run = await cli(
    ["run", prepared.blueprints[plan.variant], "--json", "--approve", APPROVE],
    place,
    kill,
  );
  const last = run.events.at(-1);
  result.lastEventBeforeKill = last
    ? `${last.seq} ${last.type}${last.step_id ? ` ${last.step_id}` : ""}`
    : "-";
  evidence.push(
    `run: kill ${describeKill(kill)}; killed=${run.killed} exit=${run.code} signal=${run.signal} after ${Math.round(run.totalMs)} ms; last event printed: ${result.lastEventBeforeKill}`,
  );
  if (!run.killed && run.code !== 0 && run.code !== 1)
    result.violations.push(`the run exited ${run.code} by itself: ${tail(run.stderr)}`);
  if (run.timedOut) result.violations.push("the run hung");
  lap("run");

  // 2. Which run, in which state. When the events printed say that the run is under way, it is
  // resumed straight away (the resume is then the first to open the killed run's store and
  // database). Otherwise `status --json` says, as it would tell a user: a run exists before its
  // first event, and a run may have ended (or been recorded as ended) without printing it.
  let found: { id: string; status: RunStatus | undefined } | undefined;
  if (run.killed && last && !ENDING_EVENTS.has(last.type)) {
    found = { id: last.run_id, status: undefined };
    result.statusAfterKill = "under way (from its events)";
    result.landed = "during";
  } else {
    const status = await cli(["status", "--json"], place);
    let runs: RunRecord[] = [];
    if (status.code !== 0) {
      result.violations.push(`status after the kill exited ${status.code}: ${tail(status.stderr)}`);
    } else {
      try {
        runs = JSON.parse(status.stdout) as RunRecord[];
      } catch {
        result.violations.push(`status --json printed no JSON: ${tail(status.stdout)}`);
      }
    }
    if (runs.length > 1) result.violations.push(`${runs.length} runs after one run command`);
    const listed = runs[0];
    if (listed && last && last.run_id !== listed.id)
      result.violations.push(`the run printed events of ${last.run_id}, status lists ${listed.id}`);
    if (!listed && last)
      result.violations.push(`the run printed events of ${last.run_id}, status lists none`);
    found = listed ? { id: listed.id, status: listed.status } : undefined;
    result.statusAfterKill = listed?.status ?? "no run";
    result.landed = !listed
      ? "before_run"
      : !run.killed || TERMINAL.has(listed.status)
        ? "after_completion"
        : "during";
  }
  result.runId = found?.id;
  lap("status");
  evidence.push(`after the kill: ${found ? `${found.id} ` : ""}${result.statusAfterKill}`);

  // 3. Resume until it stops at a known state: once should do; ending waiting (exit 3) is noted.
  if (found && !(found.status && TERMINAL.has(found.status))) {
    for (;;) {
      result.resumes++;
      const resumed = await cli(["resume", found.id, "--json"], place);
      const lastRun = resumed.events.at(-1);
      evidence.push(
        `resume ${result.resumes}: exit ${resumed.code} after ${Math.round(resumed.totalMs)} ms; last event: ${lastRun?.type ?? "-"}${
          resumed.stderr.trim() ? `; stderr: ${tail(resumed.stderr, 3)}` : ""
        }`,
      );
      if (resumed.timedOut) {
        result.violations.push("resume hung");
        break;
      }
      if (resumed.code === 3) {
        result.notes.push(`resume ${result.resumes} ended waiting (${lastRun?.type ?? "?"})`);
        if (result.resumes < MAX_RESUMES) continue;
      } else if (resumed.code !== 0 && resumed.code !== 1) {
        result.violations.push(`resume exited ${resumed.code}: ${tail(resumed.stderr)}`);
      }
      break;
    }
  }

  lap("resume");

  // 4. The run as the store has it, and its log (in this process: every child has exited).
  if (found) {
    const stored = (await readRuns(prepared.backend, place)).find((r) => r.run.id === found.id);
    result.finalStatus = stored?.run.status ?? "none";
    const events = stored?.events ?? [];
    result.events = events.map(
      (e) => `${e.seq} ${e.type}${e.step_id ? ` ${e.step_id}` : ""}${e.check_id ? ` ${e.check_id}` : ""}`,
    );
    // An event is printed once its transaction has committed: the kill must not have undone it.
    const kept = new Map(events.map((e) => [e.seq, e.type]));
    const lost = run.events.filter((e) => kept.get(e.seq) !== e.type);
    if (lost.length)
      result.violations.push(
        `${lost.length} event(s) the killed run printed are not in the store as printed (first: ${lost[0]?.seq} ${lost[0]?.type}, stored: ${kept.get(lost[0]?.seq ?? 0) ?? "nothing"})`,
      );
    // Every phase that completed should have its named checkpoint (rollback --to needs it).
    const missing = Object.entries(NAMED_CHECKPOINTS)
      .filter(([phase]) => events.some((e) => e.type === "phase.completed" && e.phase_id === phase))
      .map(([, checkpoint]) => checkpoint)
      .filter((c) => !stored?.checkpoints.includes(c));
    if (missing.length)
      result.violations.push(
        `phase(s) completed, but checkpoint(s) ${missing.join(", ")} never taken (killed after: ${result.lastEventBeforeKill})`,
      );
    if (result.finalStatus === "rolled_back" && plan.variant === "forward") {
      const incident = [...events].reverse().find((e) => e.type === "incident");
      result.notes.push(`the forward blueprint rolled back: ${String(incident?.data.what ?? "?")}`);
    }
  }
  evidence.push(`final status: ${result.finalStatus}`);

  lap("read");

  // 5. The invariant.
  const db = await inspectDb(prepared.backend, place);
  lap("inspect");
  const { source, target } = prepared;
  for (const [table, n] of Object.entries(source.rows)) {
    const now = db.rows[table] ?? 0;
    if (now < n) result.rowsLost += n - now;
  }
  // customers.legacy_code dropped: its values must all be in the backup table.
  if (!db.facts.legacyColumn)
    result.rowsLost += Math.max(0, (source.rows["public.customers"] ?? 0) - (db.facts.legacyBackupRows ?? 0));
  const expect =
    result.finalStatus === "completed"
      ? "completed"
      : result.finalStatus === "rolled_back"
        ? "rolled_back"
        : result.finalStatus === "none"
          ? "no_run"
          : undefined;
  if (expect === undefined) {
    result.violations.push(`the run ended ${result.finalStatus}: neither completed nor rolled back`);
  } else if (expect === "completed") {
    const diff = snapshotDifferences(target.snapshot, db.snapshot);
    if (diff.length) result.violations.push(`completed, but not in the target state: ${diff.join("; ")}`);
    const f = db.facts;
    if (f.legacyColumn || !f.index || f.wrongVerified !== 0 || f.wrongShipped !== 0)
      result.violations.push(
        `completed, but the data is not the target's: legacy_code ${f.legacyColumn ? "still there" : "gone"}, index ${f.index ? "there" : "missing"}, ${f.wrongVerified} wrong email_verified, ${f.wrongShipped} wrong shipped_at`,
      );
    if (db.facts.legacyDigest !== source.facts.legacyDigest)
      result.violations.push(
        `completed, but customers.legacy_code's values are not all in its backup (${db.facts.legacyBackupRows} rows)`,
      );
  } else {
    const diff = snapshotDifferences(source.snapshot, db.snapshot);
    if (diff.length)
      result.violations.push(
        `${expect === "no_run" ? "no run was created" : "rolled back"}, but not in the source state: ${diff.join("; ")}`,
      );
  }
  if (result.rowsLost > 0) result.violations.push(`${result.rowsLost} rows lost`);
  if (!result.violations.length) result.outcome = expect;
  evidence.push(`database: ${JSON.stringify(db.facts)}; rows ${JSON.stringify(db.rows)}`);
  evidence.push(`events: ${result.events.join(" | ")}`);
  result.evidence = evidence.join("\n");
  result.durationMs = performance.now() - started;
  return result;
}

// ---------------------------------------------------------------------------------------------
// The harness

export async function runCrashHarness(options: HarnessOptions): Promise<HarnessSummary> {
  const log = options.log ?? (() => undefined);
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const wallStart = performance.now();
  const work = await mkdtemp(join(tmpdir(), "ma-crash-"));
  log(`crash harness: seed ${options.seed} (CRASH_SEED=${options.seed} replays it), work dir ${work}`);
  const backend = options.postgresUrl ? postgresBackend(options.postgresUrl) : pgliteBackend(work);
  log(`target database and run state on ${backend.name}`);
  const prepared = await prepare(work, backend, concurrency, log);

  const plans = planTrials(options.seed, options.trials).filter(
    (p) => !options.only || options.only.includes(p.index),
  );
  const results: TrialResult[] = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      const plan = plans[next++];
      if (!plan) return;
      const r = await runTrial(plan, prepared);
      results.push(r);
      log(
        `trial ${plan.index} ${plan.variant}${plan.cold ? "/cold" : ""} kill ${describeKill(r.kill)} → ${r.landed}` +
          ` [${r.lastEventBeforeKill}; ${r.statusAfterKill}], ${r.resumes} resume(s) → ${r.finalStatus}: ` +
          `${r.outcome ?? `VIOLATION ${r.violations.join("; ")}`} (${Math.round(r.durationMs)} ms: ${Object.entries(
            r.timings,
          )
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")})`,
      );
      if (r.violations.length || options.keep) log(`  kept ${r.place.where}`);
      else await prepared.backend.dispose(r.place);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  results.sort((a, b) => a.plan.index - b.plan.index);

  const failed = results.filter((r) => r.violations.length);
  if (!failed.length && !options.keep) {
    await backend.teardown();
    await rm(work, { recursive: true, force: true });
  }
  const durations = results.map((r) => r.durationMs).sort((a, b) => a - b);
  const zero = () => ({ completed: 0, rolled_back: 0, no_run: 0, violation: 0 });
  const summary: HarnessSummary = {
    backend: backend.name,
    seed: options.seed,
    trials: results.length,
    concurrency,
    landed: { before_run: 0, during: 0, after_completion: 0 },
    outcomes: { completed: 0, rolled_back: 0, no_run: 0 },
    byVariant: { forward: zero(), rollback: zero() },
    resumes: 0,
    rowsLost: 0,
    violations: failed.map((r) => ({
      trial: r.plan.index,
      where: r.place.where,
      messages: r.violations,
      evidence: r.evidence,
    })),
    notes: results.flatMap((r) => r.notes.map((message) => ({ trial: r.plan.index, message }))),
    references: Object.fromEntries(
      Object.entries(prepared.references).map(([k, v]) => [
        k,
        { totalMs: Math.round(v.totalMs), firstEventMs: Math.round(v.firstEventMs) },
      ]),
    ),
    wallMs: performance.now() - wallStart,
    trialMs: {
      median: Math.round(durations[Math.floor(durations.length / 2)] ?? 0),
      max: Math.round(durations.at(-1) ?? 0),
    },
  };
  for (const r of results) {
    summary.landed[r.landed]++;
    summary.resumes += r.resumes;
    summary.rowsLost += r.rowsLost;
    if (r.outcome) summary.outcomes[r.outcome]++;
    summary.byVariant[r.plan.variant][r.outcome ?? "violation"]++;
  }
  return summary;
}

/** The summary line, then one paragraph per violation. */
export function formatSummary(s: HarnessSummary): string {
  const lines = [
    `crash/resume on ${s.backend}: ${s.trials} trials (seed ${s.seed}, ${s.concurrency} at a time, ${(s.wallMs / 1000).toFixed(1)} s; ` +
      `trial median ${(s.trialMs.median / 1000).toFixed(1)} s, max ${(s.trialMs.max / 1000).toFixed(1)} s) — ` +
      `kills before the run ${s.landed.before_run}, during ${s.landed.during}, after completion ${s.landed.after_completion}; ` +
      `outcomes: completed ${s.outcomes.completed}, rolled back ${s.outcomes.rolled_back}, no run (source) ${s.outcomes.no_run}; ` +
      `forward ${fmt(s.byVariant.forward)}, rollback ${fmt(s.byVariant.rollback)}; ` +
      `resumes ${s.resumes}; rows lost ${s.rowsLost}; violations ${s.violations.length}`,
  ];
  for (const n of s.notes) lines.push(`  note (trial ${n.trial}): ${n.message}`);
  for (const v of s.violations) {
    lines.push(
      `VIOLATION trial ${v.trial} (CRASH_SEED=${s.seed}, kept in ${v.where}): ${v.messages.join("; ")}`,
    );
    lines.push(...v.evidence.split("\n").map((l) => `    ${l}`));
  }
  return lines.join("\n");
}

function fmt(c: Record<Outcome | "violation", number>): string {
  return `${c.completed}/${c.rolled_back}/${c.no_run}/${c.violation} (completed/rolled back/no run/violation)`;
}
