import { z } from "zod";
import type { Queryable, SqlClient } from "../client.js";

// The postgres checks' helpers, on top of the ones every adapter's checks share.
export * from "../../check-result.js";

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
