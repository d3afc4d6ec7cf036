import type { RequestRecord } from "./request-log.js";
import type { UpstreamStats } from "./types.js";

/** 5xx answers, and no answer at all (status 0: a connection failure or a timeout). */
export const isError = (status: number): boolean => status === 0 || status >= 500;

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** The figures of a window of requests: count, errors, nearest-rank percentiles, mean. */
export function summarize(records: readonly RequestRecord[]): UpstreamStats {
  const latencies = records.map((r) => r.latencyMs).sort((a, b) => a - b);
  const n = latencies.length;
  const percentile = (p: number) => (n === 0 ? null : round(latencies[Math.ceil(p * n) - 1] ?? 0));
  return {
    requests: n,
    errors: records.filter((r) => isError(r.status)).length,
    p50_ms: percentile(0.5),
    p95_ms: percentile(0.95),
    p99_ms: percentile(0.99),
    mean_ms: n === 0 ? null : round(latencies.reduce((sum, l) => sum + l, 0) / n),
  };
}
