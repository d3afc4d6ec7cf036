import { redactText } from "../redact.js";
import type { HttpConnection } from "./connection.js";
import { mergeHeaders, resolveHeaders } from "./headers.js";

/** One request to a component: a path on its base URL. */
export interface HttpCall {
  method: string;
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  /** On top of the component's headers; `env:NAME` values resolved. */
  headers?: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Aborts the request: the run is pausing. */
  signal?: AbortSignal;
  /** Follow redirects on the same host (true); false answers with the 3xx itself. */
  followRedirects?: boolean;
}

/** The service's answer, whatever its status. */
export interface HttpAnswer {
  status: number;
  text: string;
  durationMs: number;
  /** Where the answer came from (after same-host redirects), safe to print. */
  url: string;
}

/** No answer: refused, timed out, stopped, or redirected to another host. The message is redacted. */
export class HttpCallError extends Error {
  constructor(
    message: string,
    readonly reason: "unreachable" | "timeout" | "stopped" | "redirect",
  ) {
    super(redactText(message));
    this.name = "HttpCallError";
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * Sends one request and reads the whole answer. Redirects are followed only on the component's
 * own origin: a redirect to another host is refused, so a step's headers (tokens) never travel
 * to a host the blueprint did not name.
 */
export async function send(connection: HttpConnection, call: HttpCall): Promise<HttpAnswer> {
  const headers = mergeHeaders(
    connection.headers,
    resolveHeaders(call.headers ?? {}, connection.env, `${call.method} ${call.path}: headers`),
  );
  const hasBody = call.body !== undefined;
  if (hasBody && !Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) {
    headers["content-type"] = "application/json";
  }
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, deadline]) : deadline;
  const started = performance.now();
  let url = urlOf(connection, call.path);
  let method = call.method;
  let body = hasBody ? JSON.stringify(call.body) : undefined;
  for (let hop = 0; ; hop++) {
    const shown = `${method} ${url.href}`;
    try {
      const response = await fetch(url, { method, headers, body: body ?? null, redirect: "manual", signal });
      const location = response.headers.get("location");
      if (call.followRedirects !== false && REDIRECTS.has(response.status) && location) {
        await response.body?.cancel();
        const next = new URL(location, url);
        if (next.origin !== connection.base.origin) {
          throw new HttpCallError(
            `${shown} redirected to ${next.origin}, another host; refused (point the component at that host instead)`,
            "redirect",
          );
        }
        if (hop >= MAX_REDIRECTS)
          throw new HttpCallError(`${shown}: more than ${MAX_REDIRECTS} redirects`, "redirect");
        if (response.status === 303 || (response.status <= 302 && method !== "GET" && method !== "HEAD")) {
          method = "GET";
          body = undefined;
        }
        url = next;
        continue;
      }
      const text = await response.text();
      return { status: response.status, text, durationMs: performance.now() - started, url: url.href };
    } catch (error) {
      if (error instanceof HttpCallError) throw error;
      if (call.signal?.aborted) throw new HttpCallError(`${shown}: stopped, the run is pausing`, "stopped");
      if (deadline.aborted)
        throw new HttpCallError(`${shown}: no answer within ${call.timeoutMs}ms`, "timeout");
      throw new HttpCallError(`${shown}: ${unreachable(error)}`, "unreachable");
    }
  }
}

/** The URL of a path on the component: appended to the base URL's path, on the same origin. */
export function urlOf(connection: HttpConnection, path: string): URL {
  const prefix = connection.base.pathname.replace(/\/$/, "");
  const url = new URL(`${prefix}${path.startsWith("/") ? path : `/${path}`}`, connection.base.origin);
  if (url.origin !== connection.base.origin) {
    throw new HttpCallError(`the path ${path} leaves ${connection.describe}; give a path on it`, "redirect");
  }
  return url;
}

/** How a request that got no answer failed, in words a person can act on. */
function unreachable(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case "ECONNREFUSED":
      return "connection refused: is the service running, and on this port?";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name does not resolve: check the component's URL";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "the service closed the connection before answering";
    default:
      return cause?.message ?? (error as Error).message;
  }
}

/** The first 200 characters of a body, for messages. Redacted. */
export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return redactText(flat.length > 200 ? `${flat.slice(0, 200)}…` : flat);
}
