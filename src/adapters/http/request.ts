import { z } from "zod";
import { parseDuration } from "../../core/blueprint/duration.js";
import { Duration } from "../../core/blueprint/schema.js";
import { doneHere } from "../done-here.js";
import { redactText } from "../redact.js";
import type { ActionDef, Inverse } from "../types.js";
import { type HttpConnection, RequestPath } from "./connection.js";
import { jsonMismatch } from "./json-match.js";
import { ExpectJson, ExpectStatus, Headers, Method, showExpected, statusExpected } from "./params.js";
import { excerpt, send } from "./send.js";

/** The request that reverses a step: itself valid params of `http.request`. */
const Undo = z.strictObject({
  method: Method,
  path: RequestPath,
  body: z.unknown().optional(),
  headers: Headers.optional(),
  expect_status: ExpectStatus.optional(),
});

/** A read that tells whether the step's effect is in place (after a crash, and after apply). */
const Verify = z.strictObject({
  method: Method.optional().meta({ description: "GET unless given" }),
  path: RequestPath,
  expect_status: ExpectStatus.optional().meta({ description: "Any 2xx unless given" }),
  expect_json: ExpectJson.optional().meta({ description: "Keys and values the response JSON must have" }),
});

const Params = z.strictObject({
  method: Method,
  path: RequestPath,
  body: z.unknown().optional().meta({ description: "Sent as JSON" }),
  headers: Headers.optional().meta({ description: "Values may be env:NAME; never printed" }),
  expect_status: ExpectStatus.optional().meta({
    description: "The status (or statuses) of success; any 2xx unless given",
  }),
  timeout: Duration.optional().meta({ description: "How long the request may take (30s unless given)" }),
  undo: Undo.optional().meta({
    description: "The request that reverses this one: the step's automatic rollback",
  }),
  verify: Verify.optional(),
});
type Params = z.infer<typeof Params>;

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const VERIFY_TIMEOUT_MS = 30_000;

/** Requests this process sent successfully: what `verify` knows without `verify`. */
const sent = doneHere<HttpConnection>();

const hasUndo = (params: unknown) =>
  typeof params === "object" && params !== null && (params as { undo?: unknown }).undo !== undefined;

/**
 * `http.request`: calls an admin or deploy endpoint of a service (set a flag, trigger a deploy),
 * with the request that undoes it (`undo`), which is then the step's automatic rollback. Fails on
 * a status other than `expect_status` (any 2xx unless given), naming the method, the URL, the
 * status and the start of the body. The request should be idempotent (PUT, DELETE): after a
 * crash, a step whose `verify` does not confirm its effect is sent again. Header values are never
 * printed, and a redirect to another host is refused.
 */
export const httpRequest = {
  name: "http.request",
  params: Params,
  // Documented static factors: an endpoint can do much or little (complexity 0.4) to a whole
  // service (blast radius 0.5); with an undo request it is easy to reverse (0.3), without one a
  // person must (0.8); admin endpoints seldom carry personal data (0.3).
  risk: (params: unknown) => ({
    complexity: 0.4,
    blast_radius: 0.5,
    reversibility_difficulty: hasUndo(params) ? 0.3 : 0.8,
    data_sensitivity: 0.3,
  }),
  hasInverse: hasUndo,
  describe: (p: Params) =>
    redactText(`${p.method} ${p.path}${p.undo ? ` (undo: ${p.undo.method} ${p.undo.path})` : ""}`),
  inverse(p: Params): Inverse {
    if (p.undo) return { action: "http.request", params: { ...p.undo } };
    return {
      manual: `undo ${redactText(`${p.method} ${p.path}`)} by hand, or give the step \`undo\`: the request that reverses it`,
    };
  },
  async apply(connection: HttpConnection, p: Params, context) {
    const timeoutMs = (p.timeout ? parseDuration(p.timeout) : undefined) ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const answer = await send(connection, {
      method: p.method,
      path: p.path,
      body: p.body,
      ...(p.headers ? { headers: p.headers } : {}),
      timeoutMs,
      signal: context.signal,
    });
    const figures = { status: answer.status, duration_ms: Math.round(answer.durationMs * 100) / 100 };
    if (!statusExpected(answer.status, p.expect_status)) {
      throw new Error(
        redactText(
          `${p.method} ${answer.url} answered ${answer.status} (expected ${showExpected(p.expect_status)}): ${excerpt(answer.text)}`,
        ),
      );
    }
    context.log(`${p.method} ${answer.url} answered ${answer.status} in ${figures.duration_ms}ms`);
    sent.mark(connection, key(p));
    return { figures };
  },
  async verify(connection: HttpConnection, p: Params) {
    const v = p.verify;
    if (!v) return sent.has(connection, key(p));
    // An unreachable service cannot confirm the effect: not in place, so the step is sent again
    // (and fails there, saying why).
    const answer = await send(connection, {
      method: v.method ?? "GET",
      path: v.path,
      timeoutMs: VERIFY_TIMEOUT_MS,
    }).catch(() => undefined);
    if (!answer || !statusExpected(answer.status, v.expect_status)) return false;
    if (v.expect_json === undefined) return true;
    try {
      return jsonMismatch(JSON.parse(answer.text), v.expect_json) === undefined;
    } catch {
      return false;
    }
  },
} satisfies ActionDef<Params, HttpConnection>;

const key = (p: Params) => JSON.stringify([p.method, p.path, p.body ?? null, p.headers ?? null]);
