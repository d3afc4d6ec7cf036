/**
 * What every adapter's health checks share: an outcome (pass or fail, with figures) turned into
 * the result the executor stores, the check's timeout, params parsing, and percentiles. A failure
 * is a result, never an exception (`checkResult`).
 */
import type { z } from "zod";
import { parseDuration } from "../core/blueprint/duration.js";
import type { HealthCheck } from "../core/blueprint/schema.js";
import { redactConnection } from "./connection-string.js";
import type { Figures, HealthCheckResult } from "./types.js";

/** What a check measured and concluded; the dispatcher adds the check's identity and duration. */
export interface CheckOutcome {
  status: "pass" | "fail";
  message: string;
  figures: Figures;
}

export const pass = (message: string, figures: Figures = {}): CheckOutcome => ({
  status: "pass",
  message,
  figures,
});
export const fail = (message: string, figures: Figures = {}): CheckOutcome => ({
  status: "fail",
  message,
  figures,
});

/** The result the executor stores: the outcome, with the check's identity, redacted. */
export function resultOf(check: HealthCheck, outcome: CheckOutcome, durationMs: number): HealthCheckResult {
  return {
    check_id: check.id,
    type: check.type,
    stage: check.stage,
    component: check.component,
    status: outcome.status,
    figures: outcome.figures,
    message: redactConnection(outcome.message),
    duration_ms: Math.round(durationMs * 100) / 100,
  };
}

/** The check's `timeout`, or a default. */
export function timeoutOf(check: HealthCheck, defaultMs: number): number {
  return (check.timeout ? parseDuration(check.timeout) : undefined) ?? defaultMs;
}

export class CheckTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms}ms`);
    this.name = "CheckTimeoutError";
  }
}

/**
 * Resolves as `work` does, or rejects after `ms`. The work itself may go on (a query is not
 * cancelled). PGlite runs in this thread and can hold it past the timer: work that finished late
 * is a timeout all the same.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeoutError(ms)), ms);
  });
  try {
    const value = await Promise.race([work, timeout]);
    if (performance.now() - started > ms) throw new CheckTimeoutError(ms);
    return value;
  } finally {
    clearTimeout(timer);
  }
}

/** Parses a check's params, or says what is wrong with them. */
export function parseParams<T>(
  schema: z.ZodType<T>,
  params: unknown,
): { ok: true; value: T } | { ok: false; outcome: CheckOutcome } {
  const parsed = schema.safeParse(params ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `params.${issue.path.join(".")}: ` : "params: ";
  return { ok: false, outcome: fail(`${where}${issue?.message ?? "invalid"}`) };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? 0;
}

export const round2 = (ms: number) => Math.round(ms * 100) / 100;

/**
 * Runs a check and makes its result: the check's identity, how long it took, and a failure for
 * anything it throws (`where: message`), so that a check never throws.
 */
export async function checkResult(
  check: HealthCheck,
  where: string,
  run: () => Promise<CheckOutcome>,
): Promise<HealthCheckResult> {
  const started = performance.now();
  let outcome: CheckOutcome;
  try {
    outcome = await run();
  } catch (error) {
    outcome = fail(`${where}: ${(error as Error).message}`);
  }
  return resultOf(check, outcome, performance.now() - started);
}

/** A check that could not run at all (no connection, an unknown upstream): failed, with why. */
export function failedResult(check: HealthCheck, message: string): HealthCheckResult {
  return resultOf(check, fail(message), 0);
}
