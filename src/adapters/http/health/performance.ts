import { z } from "zod";
import type { HealthCheck } from "../../../core/blueprint/schema.js";
import {
  type CheckOutcome,
  fail,
  parseParams,
  pass,
  percentile,
  round2,
  timeoutOf,
} from "../../check-result.js";
import type { Figures, HealthCheckResult } from "../../types.js";
import { type HttpConnection, RequestPath } from "../connection.js";
import { Headers, Method } from "../params.js";
import { excerpt, HttpCallError, send } from "../send.js";

const Params = z.strictObject({
  path: RequestPath,
  method: Method.default("GET"),
  body: z.unknown().optional(),
  headers: Headers.optional(),
  probes: z.int().min(1).max(100_000).default(50),
  /** Requests in flight at once. */
  concurrency: z.int().min(1).max(100).default(1),
  /** The percentile compared with `max_ms` and with the baseline. */
  percentile: z.enum(["p50", "p95", "p99"]).default("p99"),
  max_ms: z.number().positive().optional(),
  /** Compare with the result of the same check at the pre stage. */
  against: z.literal("baseline").optional(),
  /** With `against: baseline`: at most this many percent above the baseline's percentile. */
  max_regression_pct: z.number().min(0).default(20),
  /**
   * With `against: baseline`: differences below this many ms are noise, never a regression (a
   * loopback p99 moving from 1ms to 2ms is scheduling, not a slower release).
   */
  noise_ms: z.number().min(0).default(5),
});
type Params = z.infer<typeof Params>;

/**
 * Sends `probes` requests (`concurrency` at a time, after one unmeasured warm-up that pays for the
 * connection) and measures p50/p95/p99. Fails when a probe errs (a status other than 2xx
 * included), when the chosen percentile is over `max_ms`, or, with `against: baseline`, when it is
 * more than `max_regression_pct` over the pre-stage baseline (and more than `noise_ms` above it).
 * Without a baseline yet (the pre stage itself), the measurement is the baseline. The check's
 * timeout (60s unless given) bounds all the probes together.
 */
export async function performanceCheck(
  connection: HttpConnection,
  check: HealthCheck,
  baseline?: HealthCheckResult,
): Promise<CheckOutcome> {
  const params = parseParams(Params, check.params);
  if (!params.ok) return params.outcome;
  const p = params.value;
  const timeout = timeoutOf(check, 60_000);
  const run = await probe(connection, p, timeout);
  const latencies = run.latencies.sort((a, b) => a - b);
  const measured = {
    p50_ms: round2(percentile(latencies, 50)),
    p95_ms: round2(percentile(latencies, 95)),
    p99_ms: round2(percentile(latencies, 99)),
  };
  const figures: Figures = {
    probes: latencies.length,
    errors: run.errors,
    ...measured,
    max_ms: round2(latencies.at(-1) ?? 0),
  };
  const summary = `p50 ${measured.p50_ms}ms, p95 ${measured.p95_ms}ms, p99 ${measured.p99_ms}ms over ${latencies.length} probes`;
  const shown = `${p.method} ${p.path}`;
  if (run.timedOut) {
    return fail(
      `${shown}: the probes took longer than ${timeout}ms (${latencies.length} of ${p.probes} done)`,
      figures,
    );
  }
  const problems: string[] = [];
  if (run.errors > 0) problems.push(`${run.errors} of ${p.probes} probes failed (first: ${run.firstError})`);
  const key = `${p.percentile}_ms` as const;
  if (p.max_ms !== undefined) {
    figures.threshold_ms = p.max_ms;
    if (measured[key] > p.max_ms) problems.push(`${p.percentile} ${measured[key]}ms > ${p.max_ms}ms`);
  }
  let note = "";
  if (p.against === "baseline") {
    const before = baseline?.figures[key];
    if (typeof before === "number") {
      const allowed = round2(Math.max(before * (1 + p.max_regression_pct / 100), before + p.noise_ms));
      figures[`baseline_${key}`] = before;
      figures.allowed_ms = allowed;
      if (measured[key] > allowed) {
        problems.push(
          `${p.percentile} ${measured[key]}ms > ${allowed}ms (more than ${p.max_regression_pct}% over the baseline ${before}ms)`,
        );
      } else note = ` (baseline ${p.percentile} ${before}ms, allowed ${allowed}ms)`;
    } else note = " (no baseline yet: this measurement is the baseline)";
  }
  return problems.length
    ? fail(`${shown}: ${problems.join("; ")} — ${summary}`, figures)
    : pass(`${shown}: ${summary}${note}`, figures);
}

interface ProbeRun {
  latencies: number[];
  errors: number;
  firstError?: string;
  timedOut: boolean;
}

/** Sends the probes, `concurrency` at a time, until done or out of time. */
async function probe(connection: HttpConnection, p: Params, timeoutMs: number): Promise<ProbeRun> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const call = {
    method: p.method,
    path: p.path,
    body: p.body,
    ...(p.headers ? { headers: p.headers } : {}),
    timeoutMs,
    signal: deadline,
  };
  const run: ProbeRun = { latencies: [], errors: 0, timedOut: false };
  await send(connection, call).catch(() => undefined); // warm-up: opens the connection
  let next = 0;
  const worker = async () => {
    while (next < p.probes && !run.timedOut) {
      next++;
      try {
        const answer = await send(connection, call);
        run.latencies.push(answer.durationMs);
        if (answer.status < 200 || answer.status >= 300) {
          run.errors++;
          run.firstError ??= `${answer.status}: ${excerpt(answer.text).slice(0, 100)}`;
        }
      } catch (error) {
        if (deadline.aborted || (error instanceof HttpCallError && error.reason === "stopped")) {
          run.timedOut = true;
          return;
        }
        run.errors++;
        run.firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(p.concurrency, p.probes) }, worker));
  return run;
}
