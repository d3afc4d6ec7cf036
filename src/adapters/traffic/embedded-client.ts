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
    let response: Response;
    try {
      response = await fetch(`${admin}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new Error(
        `the embedded router's admin API at ${admin} cannot be reached (${causeOf(error)}): is \`migration-architect router\` running there?`,
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const body = json as { error?: string; message?: string } | undefined;
      const message = body?.message ?? body?.error ?? text.slice(0, 200);
      const hint = response.status === 401 ? " (set the component's options.admin_token)" : "";
      throw new Error(`the embedded router refused ${method} ${path}: ${response.status} ${message}${hint}`);
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

/** The reason a fetch failed, from its cause (`ECONNREFUSED`), without the URL's secrets. */
export function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
