import { z } from "zod";
import type { HealthCheck } from "../../../core/blueprint/schema.js";
import type { PgConnection } from "../connection.js";
import { type CheckOutcome, fail, parseParams, pass, round2, timeoutOf, withTimeout } from "./result.js";

const Params = z.strictObject({
  /** The share of max_connections in use above which the check fails (0.8 unless given). */
  max_connections_used: z.number().gt(0).max(1).default(0.8),
  /** The database size above which the check fails, in MB. */
  max_size_mb: z.number().positive().optional(),
});

/** Connections in use against max_connections, and the database's size. */
export async function capacity(connection: PgConnection, check: HealthCheck): Promise<CheckOutcome> {
  const params = parseParams(Params, check.params);
  if (!params.ok) return params.outcome;
  const p = params.value;
  const { rows } = await withTimeout(
    connection.client.query<{ used: number; max: number; reserved: number; size: number }>(
      `SELECT (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend')::float8 AS used,
              current_setting('max_connections')::float8 AS max,
              current_setting('superuser_reserved_connections')::float8 AS reserved,
              pg_catalog.pg_database_size(current_database())::float8 AS size`,
    ),
    timeoutOf(check, 30_000),
  );
  const row = rows[0] ?? { used: 0, max: 1, reserved: 0, size: 0 };
  // PGlite is one connection in this process: it counts as one in use.
  const used = Math.max(1, Number(row.used));
  const ratio = round2(used / Number(row.max));
  const sizeMb = round2(Number(row.size) / 1024 / 1024);
  const figures = {
    connections_used: used,
    max_connections: Number(row.max),
    superuser_reserved_connections: Number(row.reserved),
    connections_ratio: ratio,
    threshold_connections_ratio: p.max_connections_used,
    database_size_bytes: Number(row.size),
    database_size_mb: sizeMb,
    ...(p.max_size_mb !== undefined ? { threshold_size_mb: p.max_size_mb } : {}),
  };
  const problems: string[] = [];
  if (ratio > p.max_connections_used) {
    problems.push(`${used} of ${row.max} connections in use (${ratio} > ${p.max_connections_used})`);
  }
  if (p.max_size_mb !== undefined && sizeMb > p.max_size_mb) {
    problems.push(`the database is ${sizeMb} MB (> ${p.max_size_mb} MB)`);
  }
  return problems.length
    ? fail(problems.join("; "), figures)
    : pass(`${used} of ${row.max} connections in use (${ratio}); the database is ${sizeMb} MB`, figures);
}
