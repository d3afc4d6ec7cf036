import { z } from "zod";
import type { HealthCheck } from "../../../core/blueprint/schema.js";
import type { PgConnection } from "../connection.js";
import { type CheckOutcome, parseParams, pass, round2, timeoutOf, withTimeout } from "./result.js";

const Params = z.strictObject({});

/** `SELECT 1` within the check's timeout (5s unless given). */
export async function connectivity(connection: PgConnection, check: HealthCheck): Promise<CheckOutcome> {
  const params = parseParams(Params, check.params);
  if (!params.ok) return params.outcome;
  const timeout = timeoutOf(check, 5_000);
  const started = performance.now();
  await withTimeout(connection.client.query("SELECT 1"), timeout);
  const latency = round2(performance.now() - started);
  return pass(`${connection.describe} answered SELECT 1 in ${latency}ms`, {
    latency_ms: latency,
    timeout_ms: timeout,
  });
}
