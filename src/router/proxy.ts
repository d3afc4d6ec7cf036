import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { onAnswerEnd } from "./answer-end.js";
import { BodyCapture } from "./body-capture.js";
import type { Answer } from "./compare.js";
import { endToEnd, upstreamHeaders } from "./headers.js";
import type { Mirror } from "./mirror.js";
import { readBody } from "./read-body.js";
import type { RequestLog } from "./request-log.js";
import type { OutgoingRequest, RequestBody, UpstreamPool } from "./upstream-pool.js";

/** Recorded when the client went away before its answer was complete: not the upstream's fault. */
export const CLIENT_CLOSED = 499;
/** Recorded when no answer came at all (connection failure, timeout): counts as an error. */
const NO_ANSWER = 0;

/** What the proxy needs from the router around it. */
export interface ProxyDeps {
  pool: UpstreamPool;
  /** The next upstream by the current weights, skipping those already tried; null when none is left. */
  pick(tried: ReadonlySet<string>): string | null;
  mirror: Mirror;
  log(upstream: string): RequestLog;
  total: RequestLog;
  /** True once the router is closing: answers then ask the client to close the connection. */
  closing(): boolean;
}

/**
 * Serves one client request: picks an upstream by weight, forwards the request, streams the
 * answer back with `x-ma-upstream`, retries once elsewhere when the upstream could not be reached
 * (and the body can be sent again), and answers 502/504 in JSON when nothing worked. Resolves when
 * the client's response is closed.
 */
export async function proxy(deps: ProxyDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const closed = new Promise<void>((resolve) => res.once("close", resolve));
  const abort = new AbortController();
  let recorded = false;
  // What the client saw, recorded as soon as it is known (before the client can read the end).
  const seen = (status: number) => {
    if (recorded) return;
    recorded = true;
    deps.total.add(Date.now(), status, performance.now() - started);
  };
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
    seen(res.writableFinished ? res.statusCode : CLIENT_CLOSED);
  });
  if (deps.closing()) res.setHeader("connection", "close");

  let body: RequestBody;
  try {
    body = await readBody(req);
  } catch {
    res.destroy();
    return closed;
  }
  const path = pathOf(req.url ?? "/");
  const request: OutgoingRequest = {
    method: req.method ?? "GET",
    path,
    headers: withLength(upstreamHeaders(req.headers, req.socket.remoteAddress), req, body),
    body,
  };
  // Only a body kept whole can be sent twice.
  const mirrored = body.kind === "buffered" ? deps.mirror.start(request) : null;

  const tried = new Set<string>();
  let name = deps.pick(tried);
  while (name !== null) {
    tried.add(name);
    const attempt = performance.now();
    const result = await deps.pool.send(name, request, { purpose: "primary", signal: abort.signal });
    if (result.kind === "answer") {
      relay(deps, { name, attempt, res, result, mirrored, seen });
      return closed;
    }
    if (result.aborted) {
      deps.log(name).add(Date.now(), CLIENT_CLOSED, performance.now() - attempt);
      mirrored?.primary(null);
      return closed;
    }
    deps.log(name).add(Date.now(), NO_ANSWER, performance.now() - attempt);
    if (result.timedOut) {
      mirrored?.primary(null);
      fail(res, seen, 504, name, `upstream ${name} gave no answer in time (${result.reason})`);
      return closed;
    }
    const next = result.retryable && body.kind === "buffered" && tried.size === 1 ? deps.pick(tried) : null;
    if (next === null) {
      mirrored?.primary(null);
      fail(
        res,
        seen,
        502,
        name,
        `upstream ${name} could not be reached (${result.reason})${retryNote(tried, body)}`,
      );
      return closed;
    }
    name = next;
  }
  mirrored?.primary(null);
  fail(res, seen, 502, undefined, "no upstream has a weight above 0");
  return closed;
}

/**
 * Serves a request, and never leaves a client hanging: should the proxy itself fail (a bug), the
 * client gets a 502 in JSON, or a closed connection when its answer had already begun.
 */
export async function serve(deps: ProxyDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await proxy(deps, req, res);
  } catch (error) {
    if (res.headersSent) res.destroy();
    else
      fail(
        res,
        () => {},
        502,
        undefined,
        `the router failed to forward this request: ${(error as Error).message}`,
      );
  }
}

interface Relay {
  name: string;
  attempt: number;
  res: ServerResponse;
  result: Extract<Awaited<ReturnType<UpstreamPool["send"]>>, { kind: "answer" }>;
  mirrored: ReturnType<Mirror["start"]>;
  /** Records what the client saw. */
  seen(status: number): void;
}

/** Streams the upstream's answer to the client, keeping a copy when it is to be compared. */
function relay(deps: ProxyDeps, { name, attempt, res, result, mirrored, seen }: Relay): void {
  const { response, touch } = result;
  const status = response.statusCode ?? 502;
  const headers: OutgoingHttpHeaders = { ...endToEnd(response.headers), "x-ma-upstream": name };
  if (deps.closing()) headers.connection = "close";
  res.writeHead(status, headers);
  const capture = mirrored ? new BodyCapture() : null;
  response.on("data", (chunk: Buffer) => {
    touch();
    capture?.add(chunk);
  });
  response.pipe(res);
  onAnswerEnd(response, (error) => {
    const latency = performance.now() - attempt;
    if (!error) {
      deps.log(name).add(Date.now(), status, latency);
      seen(status);
      mirrored?.primary(capture ? ({ status, body: capture.done() } satisfies Answer) : null);
      return;
    }
    mirrored?.primary(null);
    if (res.destroyed && !res.writableFinished) {
      // The client left first and the upstream's answer was cut because of it.
      deps.log(name).add(Date.now(), CLIENT_CLOSED, latency);
      seen(CLIENT_CLOSED);
      return;
    }
    // The upstream broke off in the middle of its answer: the client gets a cut response.
    deps.log(name).add(Date.now(), NO_ANSWER, latency);
    seen(NO_ANSWER);
    res.destroy();
  });
}

/** An answer of the router itself, in JSON, when no upstream answered. */
function fail(
  res: ServerResponse,
  seen: (status: number) => void,
  status: 502 | 504,
  upstream: string | undefined,
  message: string,
): void {
  if (res.headersSent || res.destroyed) return;
  seen(status);
  const body = JSON.stringify({ error: status === 502 ? "bad_gateway" : "gateway_timeout", message });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...(upstream ? { "x-ma-upstream": upstream } : {}),
  });
  res.end(body);
}

function retryNote(tried: ReadonlySet<string>, body: RequestBody): string {
  if (tried.size > 1) return ` after trying ${[...tried].join(", ")}`;
  if (body.kind === "streamed") return "; the body was over 1 MB, so it was not retried elsewhere";
  return "";
}

/** Path and query; an absolute-form target (`GET http://host/x`) keeps only its path. */
function pathOf(url: string): string {
  if (url.startsWith("/")) return url;
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return `/${url}`;
  }
}

/** A body kept whole is sent with its exact length; a streamed one keeps the client's framing. */
function withLength(
  headers: OutgoingHttpHeaders,
  req: IncomingMessage,
  body: RequestBody,
): OutgoingHttpHeaders {
  if (body.kind === "streamed") return headers;
  const framed =
    req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
  if (body.bytes.length > 0 || framed) headers["content-length"] = String(body.bytes.length);
  else delete headers["content-length"];
  return headers;
}
