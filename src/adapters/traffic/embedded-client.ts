import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { MirrorSpec, RouteState, RouteStats, TrafficRouter, Weights } from "./route.js";

/**
 * The embedded proxy (`migration-architect router`, or `startEmbeddedRouter` in-process), driven
 * through its admin API: `GET /state`, `PUT /state`, `GET /stats`. The proxy applies a change
 * atomically, so `change` resolves when the next request is routed by it.
 */
export function embeddedRouter(options: {
  adminUrl: string;
  publicUrl: string;
  token?: string | undefined;
}): TrafficRouter {
  const admin = options.adminUrl.replace(/\/+$/, "");
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let answer: { status: number; text: string };
    try {
      answer = await requestOnce(
        `${admin}${path}`,
        method,
        headers,
        body === undefined ? undefined : JSON.stringify(body),
      );
    } catch (error) {
      throw new Error(
        `the embedded router's admin API at ${admin} cannot be reached (${causeOf(error)}): is \`migration-architect router\` running there?`,
      );
    }
    const { status, text } = answer;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (status < 200 || status >= 300) {
      const reply = json as { error?: string; message?: string } | undefined;
      const message = reply?.message ?? reply?.error ?? text.slice(0, 200);
      const hint = status === 401 ? " (set the component's options.admin_token)" : "";
      throw new Error(`the embedded router refused ${method} ${path}: ${status} ${message}${hint}`);
    }
    return json as T;
  }
  return {
    kind: "embedded",
    describe: `embedded router (admin ${admin})`,
    publicUrl: options.publicUrl,
    state: () => call<RouteState>("GET", "/state"),
    change: (next: { weights?: Weights; mirror?: MirrorSpec | null }) =>
      call<RouteState>("PUT", "/state", next),
    stats: (window) =>
      call<RouteStats>(
        "GET",
        `/stats?since=${Math.floor(window.since)}${window.until === undefined ? "" : `&until=${Math.ceil(window.until)}`}`,
      ),
    close: async () => undefined,
  };
}

/**
 * One admin request on a connection of its own (no keep-alive pool): admin calls are few, and a
 * pooled connection to a router that was restarted on the same port would fail with ECONNRESET.
 */
export function requestOnce(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === "https:" ? httpsRequest : httpRequest)(
      target,
      { method, headers: { ...headers, connection: "close" }, agent: false, timeout: 10_000 },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
        response.on("error", reject);
      },
    );
    request.on("timeout", () =>
      request.destroy(Object.assign(new Error("no answer within 10s"), { code: "ETIMEDOUT" })),
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** The reason a fetch failed, from its cause (`ECONNREFUSED`), without the URL's secrets. */
export function causeOf(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.code ?? e.message ?? String(error);
}
