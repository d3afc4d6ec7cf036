import { z } from "zod";
import type { HealthCheck } from "../../../core/blueprint/schema.js";
import { type CheckOutcome, fail, parseParams, pass, round2, timeoutOf } from "../../check-result.js";
import type { HttpConnection } from "../connection.js";
import { RequestPath } from "../connection.js";
import { excerpt, send } from "../send.js";

const Params = z.strictObject({
  /** The component's health path unless given. */
  path: RequestPath.optional(),
});

/**
 * A GET of the health path within the check's timeout (5s unless given): any 2xx or 3xx passes
 * (a redirect is an answer; it is not followed).
 */
export async function connectivity(connection: HttpConnection, check: HealthCheck): Promise<CheckOutcome> {
  const params = parseParams(Params, check.params);
  if (!params.ok) return params.outcome;
  const timeout = timeoutOf(check, 5_000);
  const path = params.value.path ?? connection.healthPath;
  const answer = await send(connection, { method: "GET", path, timeoutMs: timeout, followRedirects: false });
  const figures = { status: answer.status, latency_ms: round2(answer.durationMs), timeout_ms: timeout };
  return answer.status >= 200 && answer.status < 400
    ? pass(`GET ${answer.url} answered ${answer.status} in ${figures.latency_ms}ms`, figures)
    : fail(
        `GET ${answer.url} answered ${answer.status} (expected 2xx or 3xx): ${excerpt(answer.text)}`,
        figures,
      );
}
