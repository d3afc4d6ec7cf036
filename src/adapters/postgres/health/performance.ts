import { z } from "zod";
import type { HealthCheck } from "../../../core/blueprint/schema.js";
import type { Figures, HealthCheckResult } from "../../types.js";
import type { PgConnection } from "../connection.js";
import {
  type CheckOutcome,
  fail,
  NonEmptySql,
  parseParams,
  pass,
  percentile,
  readOnly,
  round2,
  timeoutOf,
  withTimeout,
} from "./result.js";

const Threshold = z.number().positive();
const Percentile = z.enum(["p50", "p95", "p99"]);

const Params = z
  .strictObject({
    sql: NonEmptySql,
    probes: z.int().min(1).max(100_000).default(20),
    p50_ms: Threshold.optional(),
    p95_ms: Threshold.optional(),
    p99_ms: Threshold.optional(),
    /** Compare with the result of the same check at the pre stage. */
    baseline: z.boolean().optional(),
    /** With `baseline`: at most this many times the baseline's percentile. */
    max_regression: z.number().min(1).default(2),
    /** With `baseline`: the percentile compared (p95 unless given). */
    percentile: Percentile.default("p95"),
    /** With `baseline`: differences below this many ms are noise, never a regression. */
    noise_ms: z.number().min(0).default(1),
  })
  .refine((p) => p.baseline || p.p50_ms || p.p95_ms || p.p99_ms, {
    error: "give a threshold (p50_ms, p95_ms or p99_ms) or baseline: true",
  });

/**
 * Runs the query `probes` times (after one unmeasured warm-up, which pays for planning and cold
 * caches) and compares p50/p95/p99 with the thresholds given, and with the pre-stage baseline
 * when `baseline: true` (at most `max_regression` times it). Without a baseline yet (the pre
 * stage itself), the measurement is the baseline and only the thresholds apply.
 */
export async function performanceCheck(
  connection: PgConnection,
  check: HealthCheck,
  baseline?: HealthCheckResult,
): Promise<CheckOutcome> {
  const params = parseParams(Params, check.params);
  if (!params.ok) return params.outcome;
  const p = params.value;
  const timeout = timeoutOf(check, 60_000);
  const latencies = await withTimeout(probe(connection, p.sql, p.probes), timeout);
  latencies.sort((a, b) => a - b);
  const measured = {
    p50_ms: round2(percentile(latencies, 50)),
    p95_ms: round2(percentile(latencies, 95)),
    p99_ms: round2(percentile(latencies, 99)),
  };
  const figures: Figures = { probes: p.probes, ...measured, max_ms: round2(latencies.at(-1) ?? 0) };
  const problems: string[] = [];
  for (const key of ["p50_ms", "p95_ms", "p99_ms"] as const) {
    const limit = p[key];
    if (limit === undefined) continue;
    figures[`threshold_${key}`] = limit;
    if (measured[key] > limit) problems.push(`${key.slice(0, 3)} ${measured[key]}ms > ${limit}ms`);
  }
  let note = "";
  if (p.baseline) {
    const key = `${p.percentile}_ms` as const;
    const before = baseline?.figures[key];
    if (typeof before === "number") {
      const allowed = round2(Math.max(before * p.max_regression, before + p.noise_ms));
      figures[`baseline_${key}`] = before;
      figures.allowed_ms = allowed;
      if (measured[key] > allowed) {
        problems.push(
          `${p.percentile} ${measured[key]}ms > ${allowed}ms (${p.max_regression}× the baseline ${before}ms)`,
        );
      } else note = ` (baseline ${p.percentile} ${before}ms, allowed ${allowed}ms)`;
    } else note = " (no baseline yet: this measurement is the baseline)";
  }
  const summary = `p50 ${measured.p50_ms}ms, p95 ${measured.p95_ms}ms, p99 ${measured.p99_ms}ms over ${p.probes} probes`;
  return problems.length
    ? fail(`too slow: ${problems.join("; ")} — ${summary}`, figures)
    : pass(`${summary}${note}`, figures);
}

/** Times the query `probes` times (after one warm-up), inside one read-only transaction. */
async function probe(connection: PgConnection, sql: string, probes: number): Promise<number[]> {
  return readOnly(connection.client, async (tx) => {
    await tx.query(sql);
    const latencies: number[] = [];
    for (let i = 0; i < probes; i++) {
      const started = performance.now();
      await tx.query(sql);
      latencies.push(performance.now() - started);
    }
    return latencies;
  });
}
