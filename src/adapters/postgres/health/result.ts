import { z } from "zod";
import { parseDuration } from "../../../core/blueprint/duration.js";
import type { HealthCheck } from "../../../core/blueprint/schema.js";
import { redactConnection } from "../../connection-string.js";
import type { Figures, HealthCheckResult } from "../../types.js";
import type { Queryable, SqlClient } from "../client.js";

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

/** The first column of the first row, as a query answering a question returns it. */
export function firstValue(rows: readonly Record<string, unknown>[]): unknown {
  const row = rows[0];
  return row ? Object.values(row)[0] : undefined;
}

/** How a value prints in a message or a figure: short, and JSON for objects. */
export function show(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export const NonEmptySql = z.string().trim().min(1, { error: "expected an SQL query" });

/**
 * Runs a check's own query in a read-only transaction: a health check observes, it never changes
 * the system (so `check` and the MCP `run_health_checks` tool are honestly read-only). A query that
 * writes fails the check with PostgreSQL's "cannot execute … in a read-only transaction".
 */
export function readOnly<T>(client: SqlClient, work: (tx: Queryable) => Promise<T>): Promise<T> {
  return client.transaction(async (tx) => {
    await tx.query("SET TRANSACTION READ ONLY");
    return work(tx);
  });
}
