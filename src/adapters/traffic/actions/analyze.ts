import { z } from "zod";
import { parseDuration } from "../../../core/blueprint/duration.js";
import { Duration } from "../../../core/blueprint/schema.js";
import { doneHere } from "../../done-here.js";
import { NeedsDecisionError } from "../../needs-decision.js";
import type { ActionDef, Figures, StepContext } from "../../types.js";
import { type AnalysisLimits, conclude, DEFAULT_LIMITS, type Measurement, measure } from "../analysis.js";
import type { TrafficConnection } from "../connection.js";
import { waitFor } from "./wait.js";

const Name = z.string().regex(/^[A-Za-z0-9_-]+$/, { error: "expected an upstream name" });

const Params = z.strictObject({
  baseline: Name.meta({ description: "The upstream serving the current version" }),
  canary: Name.meta({ description: "The upstream serving the new version" }),
  measurements: z
    .int()
    .min(1)
    .max(1000)
    .default(3)
    .meta({ description: "How many windows are measured (3)" }),
  interval: Duration.default("10s").meta({ description: "The length of each window (10s)" }),
  max_error_rate_increase: z.number().min(0).max(1).default(DEFAULT_LIMITS.max_error_rate_increase),
  max_latency_ratio: z.number().min(1).default(DEFAULT_LIMITS.max_latency_ratio),
  latency_noise_ms: z.number().min(0).default(DEFAULT_LIMITS.latency_noise_ms),
  min_requests: z.int().min(1).default(DEFAULT_LIMITS.min_requests),
  failure_limit: z.int().min(0).default(DEFAULT_LIMITS.failure_limit),
  inconclusive_limit: z.int().min(0).default(DEFAULT_LIMITS.inconclusive_limit),
});
type Params = z.infer<typeof Params>;

/** A failed analysis: the step failed having changed nothing, so its phase's rollback undoes the weights. */
class AnalysisFailedError extends Error {
  readonly changedNothing = true as const;
}

/** Analyses that passed, per connection: what `verify` knows. */
const analysesPassed = doneHere<TrafficConnection>();

const pct = (r: number | null) => (r === null ? "–" : `${(r * 100).toFixed(1)}%`);

/**
 * `traffic.analyze`: the canary analysis (an Argo Rollouts AnalysisRun). It measures the canary
 * against the baseline `measurements` times, over windows of `interval` each — the same windows
 * for both, from the router's own statistics — and concludes:
 * - pass: the step succeeds, and the next weight follows;
 * - fail (more failed measurements than `failure_limit`): the step fails, and its phase is rolled
 *   back automatically (level 0): the weights go back;
 * - inconclusive (too little traffic to compare, more than `inconclusive_limit` times): the run
 *   stops and waits for a person, who approves the step to go on, or rolls the run back.
 * It stops measuring as soon as the verdict is certain. It changes nothing: its undo is nothing.
 */
export const analyze = {
  name: "traffic.analyze",
  params: Params,
  // Documented factors: it only reads the router's statistics; its time is what it costs.
  risk: () => ({ complexity: 0.1, blast_radius: 0, reversibility_difficulty: 0, data_sensitivity: 0 }),
  hasInverse: () => true,
  describe: (p: Params) =>
    `compare ${p.canary} with ${p.baseline} over ${p.measurements} × ${p.interval} (error rate +${pct(p.max_error_rate_increase)} at most, p99 ×${p.max_latency_ratio} at most)`,
  inverse: () => ({ nothing: "the analysis only read the router's statistics" }),
  async apply(connection: TrafficConnection, p: Params, context: StepContext) {
    const limits: AnalysisLimits = p;
    const interval = parseDuration(p.interval) ?? 10_000;
    const measurements: Measurement[] = [];
    let since = Date.now();
    let conclusion = conclude(measurements, limits, p.measurements);
    while (!conclusion.done) {
      await waitFor(since + interval - Date.now(), context.signal, "the canary analysis");
      const until = Date.now();
      const stats = await connection.router.stats({ since, until });
      const empty = { requests: 0, errors: 0, p50_ms: null, p95_ms: null, p99_ms: null, mean_ms: null };
      const m = measure(stats.upstreams[p.baseline] ?? empty, stats.upstreams[p.canary] ?? empty, limits);
      measurements.push(m);
      context.log(
        `measurement ${measurements.length}/${p.measurements}: ${m.verdict} — ${p.canary} ${m.canary.requests} requests, errors ${pct(m.canary_error_rate)}, p99 ${m.canary.p99_ms ?? "–"} ms; ${p.baseline} ${m.baseline.requests} requests, errors ${pct(m.baseline_error_rate)}, p99 ${m.baseline.p99_ms ?? "–"} ms${m.reasons.length ? ` (${m.reasons.join("; ")})` : ""}`,
      );
      since = until;
      conclusion = conclude(measurements, limits, p.measurements);
    }
    const figures: Figures = {
      verdict: conclusion.verdict,
      measured: measurements.length,
      passed: conclusion.passed,
      failed: conclusion.failed,
      inconclusive: conclusion.inconclusive,
      canary_requests: measurements.reduce((s, m) => s + m.canary.requests, 0),
      canary_errors: measurements.reduce((s, m) => s + m.canary.errors, 0),
      baseline_requests: measurements.reduce((s, m) => s + m.baseline.requests, 0),
      baseline_errors: measurements.reduce((s, m) => s + m.baseline.errors, 0),
    };
    const reasons = [...new Set(measurements.flatMap((m) => m.reasons))].join("; ");
    if (conclusion.verdict === "fail") {
      throw new AnalysisFailedError(
        `canary analysis failed: ${conclusion.failed} of ${measurements.length} measurements failed (${reasons})`,
      );
    }
    if (conclusion.verdict === "inconclusive") {
      throw new NeedsDecisionError(
        `canary analysis inconclusive: ${conclusion.inconclusive} of ${measurements.length} measurements could not decide (${reasons}); approve the step to go on, or roll the run back`,
        figures,
      );
    }
    analysesPassed.mark(connection, p);
    return { figures };
  },
  // The analysis leaves nothing behind to check: it passed in this process, or (a step found
  // running after a crash) it analyses again.
  verify: async (connection: TrafficConnection, p: Params) => analysesPassed.has(connection, p),
} satisfies ActionDef<Params, TrafficConnection>;
