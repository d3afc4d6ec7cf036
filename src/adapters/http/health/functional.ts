import { z } from "zod";
import type { HealthCheck } from "../../../core/blueprint/schema.js";
import { type CheckOutcome, fail, parseParams, pass, round2, timeoutOf } from "../../check-result.js";
import type { HttpConnection } from "../connection.js";
import { RequestPath } from "../connection.js";
import { jsonMismatch } from "../json-match.js";
import { ExpectJson, Headers, Method, Status } from "../params.js";
import { excerpt, send } from "../send.js";

const Params = z.strictObject({
  method: Method.default("GET"),
  path: RequestPath,
  body: z.unknown().optional(),
  headers: Headers.optional(),
  expect_status: Status.default(200),
  /** Keys and values the response JSON must have (others are ignored), recursively. */
  expect_json: ExpectJson.optional(),
});

/**
 * A key request still works: it answers `expect_status` (200) and, with `expect_json`, a JSON
 * body containing those keys and values. 30s unless the check gives a timeout.
 */
export async function functional(connection: HttpConnection, check: HealthCheck): Promise<CheckOutcome> {
  const params = parseParams(Params, check.params);
  if (!params.ok) return params.outcome;
  const p = params.value;
  const answer = await send(connection, {
    method: p.method,
    path: p.path,
    body: p.body,
    ...(p.headers ? { headers: p.headers } : {}),
    timeoutMs: timeoutOf(check, 30_000),
  });
  const shown = `${p.method} ${answer.url}`;
  const figures = { status: answer.status, duration_ms: round2(answer.durationMs) };
  if (answer.status !== p.expect_status) {
    return fail(
      `${shown} answered ${answer.status}, expected ${p.expect_status}: ${excerpt(answer.text)}`,
      figures,
    );
  }
  if (p.expect_json !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      return fail(`${shown} answered ${answer.status} but not with JSON: ${excerpt(answer.text)}`, figures);
    }
    const mismatch = jsonMismatch(json, p.expect_json);
    if (mismatch) return fail(`${shown}: the response does not match expect_json: ${mismatch}`, figures);
  }
  const matched = p.expect_json ? " with the JSON expected" : "";
  return pass(`${shown} answered ${answer.status}${matched} in ${figures.duration_ms}ms`, figures);
}
