import type { UpstreamStats } from "./route.js";

/**
 * Canary analysis, in the manner of Argo Rollouts' AnalysisRun: a number of measurements, each
 * comparing the canary with the baseline over the same window, each successful, failed or
 * inconclusive; the analysis fails once failures exceed `failure_limit`, is inconclusive once
 * inconclusive measurements exceed `inconclusive_limit`, and passes otherwise. Pure.
 */
export interface AnalysisLimits {
  /** The canary's error rate may exceed the baseline's by at most this much (0.01 = 1 point). */
  max_error_rate_increase: number;
  /** The canary's p99 may be at most this many times the baseline's… */
  max_latency_ratio: number;
  /** …unless the difference is below this many ms (noise on loopback). */
  latency_noise_ms: number;
  /** Fewer requests than this on either side in a window: the measurement is inconclusive. */
  min_requests: number;
  /** Failed measurements allowed before the analysis fails. */
  failure_limit: number;
  /** Inconclusive measurements allowed before the analysis is inconclusive. */
  inconclusive_limit: number;
}

export const DEFAULT_LIMITS: AnalysisLimits = {
  max_error_rate_increase: 0.01,
  max_latency_ratio: 1.5,
  // A p99 over a few dozen requests is nearly their maximum: one slow answer on a busy host moves
  // it by milliseconds. Below 25 ms a difference is not judged a regression.
  latency_noise_ms: 25,
  min_requests: 20,
  failure_limit: 0,
  inconclusive_limit: 0,
};

export type Verdict = "pass" | "fail" | "inconclusive";

export interface Measurement {
  verdict: Verdict;
  /** Why, in words: one entry per limit crossed or per side with too little traffic. */
  reasons: string[];
  baseline: UpstreamStats;
  canary: UpstreamStats;
  baseline_error_rate: number | null;
  canary_error_rate: number | null;
}

const rate = (s: UpstreamStats) => (s.requests > 0 ? s.errors / s.requests : null);
const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

/** One measurement: the canary against the baseline over one window. */
export function measure(baseline: UpstreamStats, canary: UpstreamStats, limits: AnalysisLimits): Measurement {
  const reasons: string[] = [];
  const b = rate(baseline);
  const c = rate(canary);
  let verdict: Verdict = "pass";
  const short = [
    ...(baseline.requests < limits.min_requests ? [`the baseline had ${baseline.requests} requests`] : []),
    ...(canary.requests < limits.min_requests ? [`the canary had ${canary.requests} requests`] : []),
  ];
  // Errors are judged even on little traffic when they alone are damning: more canary errors
  // than the whole allowance of min_requests could excuse.
  if (c !== null && b !== null && c - b > limits.max_error_rate_increase && canary.errors >= 3) {
    verdict = "fail";
    reasons.push(
      `error rate ${pct(c)} on the canary against ${pct(b)} on the baseline (at most ${pct(limits.max_error_rate_increase)} more allowed)`,
    );
  }
  if (short.length && verdict !== "fail") {
    return {
      verdict: "inconclusive",
      reasons: [
        `too little traffic to compare (${short.join(", ")}; at least ${limits.min_requests} needed)`,
      ],
      baseline,
      canary,
      baseline_error_rate: b,
      canary_error_rate: c,
    };
  }
  if (baseline.p99_ms !== null && canary.p99_ms !== null) {
    const allowed = Math.max(
      baseline.p99_ms * limits.max_latency_ratio,
      baseline.p99_ms + limits.latency_noise_ms,
    );
    if (canary.p99_ms > allowed) {
      verdict = "fail";
      reasons.push(
        `p99 ${canary.p99_ms.toFixed(1)} ms on the canary against ${baseline.p99_ms.toFixed(1)} ms on the baseline (at most ${allowed.toFixed(1)} ms allowed)`,
      );
    }
  }
  return { verdict, reasons, baseline, canary, baseline_error_rate: b, canary_error_rate: c };
}

export interface Conclusion {
  verdict: Verdict;
  failed: number;
  inconclusive: number;
  passed: number;
}

/** The analysis so far; `done` when the verdict can no longer change, so measuring may stop early. */
export function conclude(
  measurements: readonly Measurement[],
  limits: AnalysisLimits,
  planned: number,
): Conclusion & { done: boolean } {
  const failed = measurements.filter((m) => m.verdict === "fail").length;
  const inconclusive = measurements.filter((m) => m.verdict === "inconclusive").length;
  const passed = measurements.length - failed - inconclusive;
  if (failed > limits.failure_limit) return { verdict: "fail", failed, inconclusive, passed, done: true };
  if (inconclusive > limits.inconclusive_limit)
    return { verdict: "inconclusive", failed, inconclusive, passed, done: true };
  return { verdict: "pass", failed, inconclusive, passed, done: measurements.length >= planned };
}
