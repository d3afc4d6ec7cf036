/**
 * Zero-downtime deploys, measured. Two versions of the sample service (v1, v2) run as processes of
 * their own (`migration-architect sample-service`) on loopback, behind two routers: the embedded
 * router, also a process of its own (`migration-architect router`, driven through its admin API as
 * the traffic adapter drives it), and a private nginx when one is installed (`nginxRouter`: write,
 * `nginx -t`, graceful reload, reload seen). An open-loop load of GET /orders/1 at 200 req/s over
 * keep-alive (evals/http-traffic.ts) runs against the router for a fixed window while a scenario
 * changes the route: none (baseline), blue-green, canary, rolling — and, for contrast, a naive
 * stop-and-start of the one upstream in rotation (SIGTERM v1, then v2 started on v1's port; that
 * window runs on until v2 has listened for a second, however long its start took).
 * Both versions are warmed before the first round, so that a switch costs what switching costs
 * and not v2's first requests ever. Every scenario runs 3 times, in rounds that each hold their
 * own baseline, and the medians are reported. A request failed when it got no answer, a status of
 * 400 or more, or waited over 1 s. The goal: 0 failed requests and p99 ≤ 2× the baseline p99 for
 * blue-green, canary and rolling. Writes bench/results/deploy.json.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { type HttpTrafficStats, startHttpTraffic } from "../evals/http-traffic.js";
import { ROOT } from "../scripts/ensure-built.js";
import { percentile, round2 } from "../src/adapters/check-result.js";
import { embeddedRouter } from "../src/adapters/traffic/embedded-client.js";
import { freePort } from "../src/adapters/traffic/nginx/free-port.js";
import { nginxAvailable, nginxBinary, privateNginx } from "../src/adapters/traffic/nginx/nginx-process.js";
import { nginxRouter } from "../src/adapters/traffic/nginx/nginx-router.js";
import type { TrafficRouter, Weights } from "../src/adapters/traffic/route.js";
import { median } from "./median.js";

const RATE = 200;
const PATH = "/orders/1";
/** A request slower than this counts as failed (as the eval runner counts it). */
const MAX_WAIT_MS = 1_000;
const WINDOW_MS = 7_000;
/** The steady load before the first change. */
const STEADY_MS = 2_000;
const REPEATS = 3;
/** Load before the first round, not recorded: JIT, connection pools. */
const WARM_UP_MS = 2_000;
/** Load on a freshly started v1 after the naive scenario, so that the next window meets a warm one. */
const REWARM_MS = 1_000;
/** The naive window goes on at least this long after v2 listens, even past WINDOW_MS. */
const NAIVE_TAIL_MS = 1_000;
/** A pause after a reset, so that nginx's old workers have gone before the next window. */
const SETTLE_MS = 300;
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const LIVE: Weights = { v1: 100, v2: 0 };
/** The scenarios judged against the goal. */
const ZERO_DOWNTIME = new Set(["blue-green", "canary", "rolling"]);

interface Scenario {
  id: "baseline" | "blue-green" | "canary" | "rolling" | "naive";
  describe: string;
  /** Route changes, each at its offset (ms) from the window's start. */
  changes: { at: number; weights: Weights }[];
  /** The naive deploy: the upstream in rotation is stopped and replaced at this offset. */
  restartAt?: number;
}

const SCENARIOS: Scenario[] = [
  { id: "baseline", describe: "no change", changes: [] },
  {
    id: "blue-green",
    describe: "one change v1 0 / v2 100 (traffic.switch)",
    changes: [{ at: STEADY_MS, weights: { v1: 0, v2: 100 } }],
  },
  {
    id: "canary",
    describe: "90/10 → 50/50 → 0/100, 2 s apart",
    changes: [
      { at: STEADY_MS, weights: { v1: 90, v2: 10 } },
      { at: STEADY_MS + 2_000, weights: { v1: 50, v2: 50 } },
      { at: STEADY_MS + 4_000, weights: { v1: 0, v2: 100 } },
    ],
  },
  {
    id: "rolling",
    describe: "75/25 → 50/50 → 25/75 → 0/100, 1.5 s apart",
    changes: [
      { at: STEADY_MS, weights: { v1: 75, v2: 25 } },
      { at: STEADY_MS + 1_500, weights: { v1: 50, v2: 50 } },
      { at: STEADY_MS + 3_000, weights: { v1: 25, v2: 75 } },
      { at: STEADY_MS + 4_500, weights: { v1: 0, v2: 100 } },
    ],
  },
  {
    id: "naive",
    describe: "route v1 100 only; SIGTERM v1, then v2 started on v1's port",
    changes: [],
    restartAt: STEADY_MS,
  },
];

// ---------------------------------------------------------------- processes

/** Every child started here: killed on any exit, even an abrupt one. */
const children = new Set<ChildProcess>();
/** nginx daemonizes: its master's pid file, for the same purpose. */
let nginxPidFile: string | undefined;
let workDir: string | undefined;

process.on("exit", () => {
  for (const child of children) if (running(child)) child.kill("SIGKILL");
  if (nginxPidFile) {
    // SIGTERM, not SIGKILL: the master takes its workers (and the listening socket) with it.
    const pid = Number(readPid(nginxPidFile));
    if (pid > 0) killQuietly(pid, "SIGTERM");
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function readPid(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts `migration-architect <args>` from the sources as a process of its own and waits until
 * its stdout has printed a line matching each pattern; returns the first group of each.
 */
async function startCli(
  args: string[],
  patterns: RegExp[],
  what: string,
): Promise<{ child: ChildProcess; found: string[]; takeLog(): string[] }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let stderr = "";
  let logged: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
    logged.push(
      ...chunk
        .toString()
        .split("\n")
        .filter((line) => line.trim()),
    );
  });
  const found: (string | undefined)[] = patterns.map(() => undefined);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${what} did not start within ${READY_TIMEOUT_MS / 1000} s: ${stderr.trim()}`));
      }, READY_TIMEOUT_MS);
      lines.on("line", (line) => {
        patterns.forEach((pattern, i) => {
          found[i] ??= pattern.exec(line)?.[1];
        });
        if (found.every((f) => f !== undefined)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(`${what} exited (${signal ?? `code ${code}`}) before it was ready: ${stderr.trim()}`),
        );
      });
    });
  } catch (error) {
    lines.close();
    throw error;
  }
  // Keep reading, so that a chatty child never blocks on a full pipe.
  lines.on("line", () => undefined);
  const takeLog = () => {
    const taken = logged;
    logged = [];
    return taken;
  };
  return { child, found: found as string[], takeLog };
}

/** SIGTERM (the child lets requests in flight finish), then SIGKILL if it lingers. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (!running(child)) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** A version of the sample service listening on `port` (0: a free one). */
async function startVersion(name: string, port: number): Promise<{ child: ChildProcess; port: number }> {
  const { child, found } = await startCli(
    ["sample-service", "--name", name, "--port", String(port)],
    [/^sample service \S+ at http:\/\/127\.0\.0\.1:(\d+)$/],
    `the sample service ${name} (port ${port})`,
  );
  return { child, port: Number(found[0]) };
}

// ---------------------------------------------------------------- figures

interface RunFigures {
  requests: number;
  errors: number;
  /** Over MAX_WAIT_MS (a request both failed and slow is in both counts). */
  slow: number;
  failed: number;
  retried: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  served_by: Record<string, number>;
  /** Each change's start (ms into the window) and how long the router took to apply it. */
  changes: { at_ms: number; weights: Weights; took_ms: number }[];
  /** Naive: from SIGTERM of v1 to v2 listening on its port. */
  outage_ms?: number;
  /** How long the load ran (the naive window runs on until v2 has served a while). */
  window_ms: number;
  messages: string[];
  /** What the router logged meanwhile: nginx's error log (warn and up), the embedded router's stderr. */
  router_log: { lines: number; first: string[] };
}

function figures(stats: HttpTrafficStats): Omit<RunFigures, "changes" | "window_ms" | "router_log"> {
  const sorted = [...stats.latencies].sort((a, b) => a - b);
  return {
    requests: stats.statements,
    errors: stats.errors,
    slow: stats.slow,
    failed: stats.errors + stats.slow,
    retried: stats.retried,
    p50_ms: round2(percentile(sorted, 50)),
    p99_ms: round2(percentile(sorted, 99)),
    max_ms: round2(sorted[sorted.length - 1] ?? 0),
    served_by: stats.servedBy,
    messages: stats.messages,
  };
}

// ---------------------------------------------------------------- routers

interface Bench {
  name: "embedded" | "nginx";
  router: TrafficRouter;
  /** The router's log lines since the last call. */
  takeLog(): Promise<string[]>;
  stop(): Promise<void>;
}

/** The two versions: `v1` is whatever listens on v1's port (after a naive deploy, a v2). */
const slots = {} as Record<"v1" | "v2", { child: ChildProcess; port: number }>;

async function startEmbedded(upstreams: Record<string, string>): Promise<Bench> {
  const { child, found, takeLog } = await startCli(
    ["router", ...Object.entries(upstreams).flatMap(([n, u]) => ["--upstream", `${n}=${u}`])].concat([
      "--weights",
      "v1=100,v2=0",
    ]),
    [/^router at (\S+)$/, /^admin at (\S+)$/],
    "the embedded router",
  );
  const [publicUrl, adminUrl] = found as [string, string];
  return {
    name: "embedded",
    router: embeddedRouter({ adminUrl, publicUrl }),
    takeLog: async () => takeLog().filter((line) => !line.startsWith("[router] weights")),
    stop: () => stopChild(child),
  };
}

async function startNginx(upstreams: Record<string, string>, dir: string): Promise<Bench> {
  const nginxDir = join(dir, "nginx");
  await mkdir(nginxDir, { recursive: true });
  const nginx = await privateNginx(nginxDir);
  const listen = `127.0.0.1:${await freePort()}`;
  const router = nginxRouter({
    name: "bench",
    conf: nginx.conf,
    site: nginx.site("bench"),
    command: [nginxBinary()],
    listen,
    publicUrl: `http://${listen}`,
    upstreams,
    initialWeights: LIVE,
  });
  await router.install();
  nginxPidFile = join(nginxDir, "nginx.pid");
  await nginx.start();
  const errorLog = join(nginxDir, "error.log");
  let read = 0;
  const takeLog = async () => {
    const text = await readFile(errorLog, "utf8").catch(() => "");
    const fresh = text.slice(read);
    read = text.length;
    // The log's level is warn: reloads (notice) are not in it, problems are.
    return fresh.split("\n").filter((line) => line.trim());
  };
  return { name: "nginx", router, takeLog, stop: () => nginx.stop() };
}

/** Who answers a fresh request on the route now. */
async function servedNow(publicUrl: string): Promise<string> {
  const response = await fetch(new URL(PATH, publicUrl), { signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  return `${response.status} ${response.headers.get("x-served-by") ?? "?"}`;
}

/** GET /orders/1 at RATE on each URL at once, for `ms`: warms processes and connection pools. */
async function load(urls: string[], ms: number): Promise<void> {
  const loads = urls.map((url) =>
    startHttpTraffic(url, [{ method: "GET", path: PATH, rate: RATE }], MAX_WAIT_MS),
  );
  await sleep(ms);
  const stats = await Promise.all(loads.map((l) => l.stop()));
  const failed = stats.reduce((sum, s) => sum + s.errors, 0);
  if (failed > 0)
    throw new Error(
      `${failed} requests failed while warming up ${urls.join(", ")}: ${stats.flatMap((s) => s.messages)[0]}`,
    );
}

// ---------------------------------------------------------------- scenarios

async function runScenario(bench: Bench, scenario: Scenario): Promise<RunFigures> {
  await bench.takeLog();
  const traffic = startHttpTraffic(
    bench.router.publicUrl,
    [{ method: "GET", path: PATH, rate: RATE }],
    MAX_WAIT_MS,
  );
  const t0 = performance.now();
  const until = (offset: number) => sleep(Math.max(0, t0 + offset - performance.now()));
  const changes: RunFigures["changes"] = [];
  let outageMs: number | undefined;
  let end = WINDOW_MS;
  let stats: HttpTrafficStats;
  try {
    for (const change of scenario.changes) {
      await until(change.at);
      const started = performance.now();
      await bench.router.change({ weights: change.weights });
      changes.push({
        at_ms: Math.round(started - t0),
        weights: change.weights,
        took_ms: round2(performance.now() - started),
      });
    }
    if (scenario.restartAt !== undefined) {
      await until(scenario.restartAt);
      // A deploy without a router: stop the old version, start the new one where it listened.
      const started = performance.now();
      await stopChild(slots.v1.child);
      slots.v1 = await startVersion("v2", slots.v1.port);
      outageMs = Math.round(performance.now() - started);
      // Its failures end when v2 listens: the window must see that, however slow the start was.
      end = Math.max(WINDOW_MS, Math.ceil(performance.now() - t0 + NAIVE_TAIL_MS));
    }
    await until(end);
  } finally {
    stats = await traffic.stop();
  }
  const log = await bench.takeLog();
  return {
    ...figures(stats),
    changes,
    ...(outageMs === undefined ? {} : { outage_ms: outageMs }),
    window_ms: end,
    router_log: { lines: log.length, first: log.slice(0, 5) },
  };
}

/** Back to v1 taking everything, v1 running (warm) on its port, and checked. */
async function reset(bench: Bench, scenario: Scenario): Promise<void> {
  if (scenario.restartAt !== undefined) {
    await stopChild(slots.v1.child);
    slots.v1 = await startVersion("v1", slots.v1.port);
    await load([`http://127.0.0.1:${slots.v1.port}`], REWARM_MS);
  }
  if (scenario.changes.length > 0) await bench.router.change({ weights: LIVE });
  await sleep(SETTLE_MS);
  const seen = await servedNow(bench.router.publicUrl);
  if (seen !== "200 v1") throw new Error(`after resetting ${bench.name}, a request got ${seen}, not 200 v1`);
}

/** What a run must show to have done what its scenario says; a problem makes the bench fail. */
function problemOf(scenario: Scenario, run: RunFigures): string | undefined {
  const v1 = run.served_by.v1 ?? 0;
  const v2 = run.served_by.v2 ?? 0;
  if (run.requests < RATE * (WINDOW_MS / 1000) * 0.9) return `only ${run.requests} requests were sent`;
  if (scenario.id === "baseline" && v2 > 0) return `v2 answered ${v2} requests with no change`;
  if (scenario.id !== "baseline" && (v1 === 0 || v2 === 0))
    return `served by v1 ${v1}, v2 ${v2}: the deploy did not move traffic`;
  return undefined;
}

// ---------------------------------------------------------------- main

type Runs = Record<Scenario["id"], RunFigures[]>;
const results: { name: Bench["name"]; runs: Runs }[] = [];
const problems: string[] = [];
let nginxSkipped: string | undefined;
const started = performance.now();
const loadBefore = loadavg()[0]?.toFixed(2);

workDir = await mkdtemp(join(tmpdir(), "ma-bench-deploy-"));
const benches: Bench[] = [];
try {
  [slots.v1, slots.v2] = await Promise.all([startVersion("v1", 0), startVersion("v2", 0)]);
  const upstreams = {
    v1: `http://127.0.0.1:${slots.v1.port}`,
    v2: `http://127.0.0.1:${slots.v2.port}`,
  };
  const [embedded, hasNginx] = await Promise.all([startEmbedded(upstreams), nginxAvailable()]);
  benches.push(embedded);
  if (hasNginx) benches.push(await startNginx(upstreams, workDir));
  else nginxSkipped = `no runnable nginx at ${nginxBinary()} (set MA_NGINX to its path)`;
  for (const bench of benches)
    results.push({
      name: bench.name,
      runs: Object.fromEntries(SCENARIOS.map((s) => [s.id, []])) as unknown as Runs,
    });
  // v2 is warmed too: the switch should cost what switching costs, not v2's first requests ever.
  await load([...Object.values(upstreams), ...benches.map((b) => b.router.publicUrl)], WARM_UP_MS);
  // Rounds: every scenario of every router once, then again, so that a slow patch of the machine
  // touches a whole round rather than one scenario.
  for (let round = 1; round <= REPEATS; round++) {
    for (const bench of benches) {
      const runs = results.find((r) => r.name === bench.name)?.runs as Runs;
      for (const scenario of SCENARIOS) {
        const run = await runScenario(bench, scenario);
        runs[scenario.id].push(run);
        const problem = problemOf(scenario, run);
        if (problem) problems.push(`${bench.name} ${scenario.id} round ${round}: ${problem}`);
        console.error(
          `[round ${round}] ${bench.name.padEnd(8)} ${scenario.id.padEnd(10)} ${run.requests} requests, ` +
            `${run.failed} failed, ${run.retried} retried, p99 ${run.p99_ms} ms`,
        );
        await reset(bench, scenario);
      }
    }
  }
} finally {
  for (const bench of benches.splice(0).reverse()) await bench.stop().catch(() => undefined);
  nginxPidFile = undefined;
  await Promise.all([...children].map(stopChild));
  await rm(workDir, { recursive: true, force: true });
  workDir = undefined;
}

// ---------------------------------------------------------------- report

const med = (runs: RunFigures[], pick: (r: RunFigures) => number) => round2(median(runs.map(pick)));

const summary = results.map(({ name, runs }) => {
  const baseP50 = med(runs.baseline, (r) => r.p50_ms);
  const baseP99 = med(runs.baseline, (r) => r.p99_ms);
  const scenarios = SCENARIOS.map((scenario) => {
    const list = runs[scenario.id];
    const p99 = med(list, (r) => r.p99_ms);
    const ratio = baseP99 > 0 ? round2(p99 / baseP99) : null;
    const failedAll = list.map((r) => r.failed);
    const goal = ZERO_DOWNTIME.has(scenario.id)
      ? failedAll.every((f) => f === 0) && ratio !== null && ratio <= 2
        ? "met"
        : "missed"
      : null;
    const changeTimes = list.flatMap((r) => r.changes.map((c) => c.took_ms));
    const outages = list.flatMap((r) => (r.outage_ms === undefined ? [] : [r.outage_ms]));
    return {
      scenario: scenario.id,
      describe: scenario.describe,
      median: {
        requests: med(list, (r) => r.requests),
        failed: med(list, (r) => r.failed),
        errors: med(list, (r) => r.errors),
        slow: med(list, (r) => r.slow),
        retried: med(list, (r) => r.retried),
        p50_ms: med(list, (r) => r.p50_ms),
        p99_ms: p99,
        max_ms: med(list, (r) => r.max_ms),
        baseline_p50_ms: baseP50,
        baseline_p99_ms: baseP99,
        p99_over_baseline_p99: ratio,
        ...(changeTimes.length ? { change_took_ms: round2(median(changeTimes)) } : {}),
        ...(outages.length ? { outage_ms: median(outages) } : {}),
      },
      failed_per_run: failedAll,
      retried_per_run: list.map((r) => r.retried),
      p99_ms_per_run: list.map((r) => r.p99_ms),
      router_log_lines: list.reduce((sum, r) => sum + r.router_log.lines, 0),
      goal,
      runs: list,
    };
  });
  return { router: name, scenarios };
});

const seconds = Math.round((performance.now() - started) / 1000);
const header = [
  "router",
  "scenario",
  "requests",
  "failed (per run)",
  "retried",
  "p50 ms",
  "p99 ms (per run)",
  "p99÷base",
  "goal",
];
const widths = [9, 11, 9, 19, 8, 7, 25, 9, 7];
const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 8)).join(" ");
console.log(
  `Deploys under load: GET ${PATH} at ${RATE} req/s, keep-alive, ${WINDOW_MS / 1000} s windows (${STEADY_MS / 1000} s steady first), ` +
    `medians of ${REPEATS} rounds; failed = errors + answers over ${MAX_WAIT_MS} ms; p99÷base = median p99 ÷ median baseline p99 of the same router; ` +
    `load average ${loadBefore} before, ${loadavg()[0]?.toFixed(2)} after, on ${cpus().length} cores`,
);
console.log(row(header));
for (const { router, scenarios } of summary) {
  for (const s of scenarios) {
    const m = s.median;
    console.log(
      row([
        router,
        s.scenario,
        String(m.requests),
        `${m.failed} (${s.failed_per_run.join("/")})`,
        String(m.retried),
        m.p50_ms.toFixed(2),
        `${m.p99_ms.toFixed(2)} (${s.p99_ms_per_run.map((v) => v.toFixed(1)).join("/")})`,
        m.p99_over_baseline_p99 === null ? "-" : `${m.p99_over_baseline_p99.toFixed(2)}×`,
        s.goal ?? "",
      ]),
    );
  }
}
console.log(
  "Goal: 0 failed requests (in every run) and p99 ≤ 2× baseline p99 for blue-green, canary and rolling.",
);
for (const { router, scenarios } of summary) {
  const missed = scenarios.filter((s) => s.goal === "missed").map((s) => s.scenario);
  const changes = scenarios.flatMap((s) => s.runs.flatMap((r) => r.changes.map((c) => c.took_ms)));
  const naive = scenarios.find((s) => s.scenario === "naive")?.median;
  for (const s of scenarios.filter((s) => ZERO_DOWNTIME.has(s.scenario) && s.router_log_lines > 0)) {
    const first = s.runs.flatMap((r) => r.router_log.first)[0];
    console.log(`${router} ${s.scenario}: the router logged ${s.router_log_lines} lines, first: ${first}`);
  }
  console.log(
    `${router}: goal ${missed.length ? `MISSED for ${missed.join(", ")}` : "met"}; a route change took ` +
      `${round2(median(changes))} ms (median of ${changes.length}); naive restart left nothing listening ` +
      `for ${naive?.outage_ms ?? "?"} ms (median), ${naive?.failed ?? "?"} requests failed`,
  );
}
if (nginxSkipped) console.log(`nginx: skipped, ${nginxSkipped}`);
for (const problem of problems) console.log(`PROBLEM: ${problem}`);
console.log(`${seconds} s in all`);

await mkdir(join(ROOT, "bench/results"), { recursive: true });
await writeFile(
  join(ROOT, "bench/results/deploy.json"),
  `${JSON.stringify(
    {
      measured_at: new Date().toISOString(),
      node: process.version,
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? "unknown",
      load_average_1m: { before: Number(loadBefore), after: round2(loadavg()[0] ?? 0) },
      load: {
        method: "GET",
        path: PATH,
        rate_per_s: RATE,
        keep_alive: true,
        generator: "evals/http-traffic.ts",
      },
      window_ms: WINDOW_MS,
      steady_ms: STEADY_MS,
      repeats: REPEATS,
      failed_means: `an error (no answer, status ≥ 400) or an answer after more than ${MAX_WAIT_MS} ms`,
      processes: {
        sample_service:
          "node --import tsx src/cli/main.ts sample-service --name vN --port P (one process per version)",
        embedded_router:
          "node --import tsx src/cli/main.ts router (a process of its own, changed through its admin API)",
        nginx: nginxSkipped ? `skipped: ${nginxSkipped}` : "private nginx master, 1 worker, nginxRouter",
      },
      goal: "0 failed requests and p99 ≤ 2× baseline p99 for blue-green, canary and rolling",
      problems,
      duration_s: seconds,
      routers: summary,
    },
    null,
    2,
  )}\n`,
);
if (problems.length) process.exitCode = 1;
