import { describe, expect, it } from "vitest";
import { type AnalysisLimits, conclude, DEFAULT_LIMITS, type Measurement, measure } from "./analysis.js";
import type { UpstreamStats } from "./route.js";

/** A side of a window: `requests` with `errors`, and a p99 (null: no latency figures). */
function side(requests: number, errors = 0, p99: number | null = 10): UpstreamStats {
  return {
    requests,
    errors,
    p50_ms: p99 === null ? null : p99 / 2,
    p95_ms: p99 === null ? null : p99 * 0.9,
    p99_ms: p99,
    mean_ms: p99 === null ? null : p99 / 2,
  };
}

const limits: AnalysisLimits = { ...DEFAULT_LIMITS };

describe("measure: one window, the canary against the baseline", () => {
  it("passes a canary that errs and answers like the baseline, with no reasons", () => {
    const m = measure(side(100, 0, 12), side(100, 0, 12.5), limits);
    expect(m).toMatchObject({ verdict: "pass", reasons: [], baseline_error_rate: 0, canary_error_rate: 0 });
  });

  it("fails on an error rate above the baseline's by more than allowed, saying both rates", () => {
    const m = measure(side(100, 1), side(100, 50), limits);
    expect(m.verdict).toBe("fail");
    expect(m.canary_error_rate).toBe(0.5);
    expect(m.reasons).toEqual([
      "error rate 50.0% on the canary against 1.0% on the baseline (at most 1.0% more allowed)",
    ]);
  });

  it("allows exactly the increase the limit gives, and a canary that errs less than the baseline", () => {
    // 3 of 300 is 1.0%, exactly max_error_rate_increase above a baseline without errors.
    expect(measure(side(1000, 0), side(300, 3), limits).verdict).toBe("pass");
    expect(measure(side(1000, 0), side(300, 4), limits).verdict).toBe("fail");
    expect(measure(side(100, 30), side(100, 5), limits).verdict).toBe("pass");
  });

  it("is inconclusive with too little traffic on either side, naming the side and the minimum", () => {
    const canaryShort = measure(side(100), side(5), limits);
    expect(canaryShort.verdict).toBe("inconclusive");
    expect(canaryShort.reasons).toEqual([
      "too little traffic to compare (the canary had 5 requests; at least 20 needed)",
    ]);
    const bothEmpty = measure(side(0, 0, null), side(0, 0, null), limits);
    expect(bothEmpty).toMatchObject({
      verdict: "inconclusive",
      baseline_error_rate: null,
      canary_error_rate: null,
    });
    expect(bothEmpty.reasons[0]).toContain("the baseline had 0 requests, the canary had 0 requests");
  });

  it("fails on little traffic when the canary's errors alone are damning (3 or more)", () => {
    expect(measure(side(100), side(4, 3), limits).verdict).toBe("fail");
    // Two errors of two requests could be chance: the window cannot decide.
    expect(measure(side(100), side(2, 2), limits).verdict).toBe("inconclusive");
  });

  it("fails a p99 above both the ratio and the noise allowance, and says the allowance", () => {
    // baseline 10 ms: at most max(10 × 1.5, 10 + 25) = 35 ms (the noise allowance is the larger)
    expect(measure(side(100, 0, 10), side(100, 0, 35), limits).verdict).toBe("pass");
    const slow = measure(side(100, 0, 10), side(100, 0, 36), limits);
    expect(slow.verdict).toBe("fail");
    expect(slow.reasons).toEqual([
      "p99 36.0 ms on the canary against 10.0 ms on the baseline (at most 35.0 ms allowed)",
    ]);
    // baseline 2 ms: 1.5 × 2 = 3 ms, but loopback noise allows 2 + 25 = 27 ms
    expect(measure(side(100, 0, 2), side(100, 0, 27), limits).verdict).toBe("pass");
    expect(measure(side(100, 0, 2), side(100, 0, 27.5), limits).verdict).toBe("fail");
    // baseline 100 ms: the ratio is the larger allowance, 150 ms
    expect(measure(side(100, 0, 100), side(100, 0, 149), limits).verdict).toBe("pass");
    expect(measure(side(100, 0, 100), side(100, 0, 151), limits).verdict).toBe("fail");
  });

  it("skips the latency comparison when a side has no latency figures", () => {
    expect(measure(side(100, 0, null), side(100, 0, 500), limits).verdict).toBe("pass");
  });

  it("gives one reason per limit crossed", () => {
    const m = measure(side(100, 0, 10), side(100, 40, 100), limits);
    expect(m.verdict).toBe("fail");
    expect(m.reasons).toHaveLength(2);
    expect(m.reasons[0]).toMatch(/^error rate 40\.0%/);
    expect(m.reasons[1]).toMatch(/^p99 100\.0 ms/);
  });

  it("follows the limits it is given", () => {
    const lenient = { ...limits, max_error_rate_increase: 0.5, min_requests: 3, latency_noise_ms: 1000 };
    expect(measure(side(10, 0, 1), side(10, 4, 900), lenient).verdict).toBe("pass");
    expect(measure(side(10, 0, 1), side(2, 0, 1), lenient).verdict).toBe("inconclusive");
  });
});

describe("conclude: the analysis over its measurements", () => {
  const pass = measure(side(100), side(100), limits);
  const fail = measure(side(100), side(100, 50), limits);
  const unsure = measure(side(100), side(1), limits);
  const run = (ms: Measurement[], l: Partial<AnalysisLimits> = {}, planned = 3) =>
    conclude(ms, { ...limits, ...l }, planned);

  it("is a pass not yet done until every planned measurement passed", () => {
    expect(run([])).toEqual({ verdict: "pass", failed: 0, inconclusive: 0, passed: 0, done: false });
    expect(run([pass, pass])).toMatchObject({ verdict: "pass", passed: 2, done: false });
    expect(run([pass, pass, pass])).toEqual({
      verdict: "pass",
      failed: 0,
      inconclusive: 0,
      passed: 3,
      done: true,
    });
  });

  it("fails as soon as failures exceed failure_limit, so measuring stops early", () => {
    expect(run([pass, fail])).toEqual({ verdict: "fail", failed: 1, inconclusive: 0, passed: 1, done: true });
    expect(run([fail], { failure_limit: 1 })).toMatchObject({ verdict: "pass", done: false });
    expect(run([fail, pass, pass], { failure_limit: 1 })).toMatchObject({ verdict: "pass", done: true });
    expect(run([fail, fail], { failure_limit: 1 })).toMatchObject({ verdict: "fail", done: true });
  });

  it("is inconclusive as soon as inconclusive measurements exceed inconclusive_limit", () => {
    expect(run([unsure])).toEqual({
      verdict: "inconclusive",
      failed: 0,
      inconclusive: 1,
      passed: 0,
      done: true,
    });
    expect(run([unsure, pass], { inconclusive_limit: 1 })).toMatchObject({ verdict: "pass", done: false });
    expect(run([unsure, pass, pass], { inconclusive_limit: 1 })).toMatchObject({
      verdict: "pass",
      inconclusive: 1,
      passed: 2,
      done: true,
    });
  });

  it("lets a failure outweigh inconclusive measurements", () => {
    expect(run([unsure, fail], { inconclusive_limit: 0 })).toMatchObject({ verdict: "fail", done: true });
  });
});
