import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { RouterStateError } from "./errors.js";
import type { RouterState, RouterStats, StateChange } from "./types.js";

/** A change of state is a few hundred bytes; anything much larger is not one. */
const MAX_ADMIN_BODY_BYTES = 64 * 1024;

export interface AdminDeps {
  /** When set, every request but /healthz needs `Authorization: Bearer <token>`. */
  token?: string;
  /** The host:port values that name this server, when it listens on loopback (DNS rebinding guard). */
  hosts(): ReadonlySet<string> | null;
  state(): RouterState;
  setState(change: StateChange): RouterState;
  stats(window: { since: number; until?: number }): RouterStats;
}

class AdminHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The admin API the traffic adapter drives: `GET /state`, `PUT /state`, `GET /stats`,
 * `GET /healthz`, all JSON. The token is compared in constant time and never echoed; a page in
 * a browser cannot reach it (an Origin header, or a Host that is not this server on loopback, is
 * refused), so weights cannot be changed by a web site the operator happens to visit.
 */
export function adminHandler(deps: AdminDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const expected = deps.token === undefined ? null : Buffer.from(deps.token);
  return async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://admin");
      const hosts = deps.hosts();
      if (req.headers.origin !== undefined)
        throw new AdminHttpError(
          403,
          "forbidden",
          "the admin API does not serve browsers (an Origin header was sent)",
        );
      if (hosts !== null && !hosts.has(req.headers.host ?? ""))
        throw new AdminHttpError(403, "forbidden", "the Host header does not name this admin server");
      if (url.pathname === "/healthz" && req.method === "GET") return send(res, 200, { status: "ok" });
      if (expected !== null && !authorized(req, expected))
        throw new AdminHttpError(
          401,
          "unauthorized",
          "a bearer token is required: Authorization: Bearer <the router's admin token>",
        );
      const route = `${req.method} ${url.pathname}`;
      if (route === "GET /state") return send(res, 200, deps.state());
      if (route === "PUT /state") return send(res, 200, deps.setState((await readJson(req)) as StateChange));
      if (route === "GET /stats") return send(res, 200, deps.stats(statsWindow(url.searchParams)));
      if (["/state", "/stats", "/healthz"].includes(url.pathname))
        throw new AdminHttpError(
          405,
          "method_not_allowed",
          `${req.method} is not allowed on ${url.pathname}`,
        );
      throw new AdminHttpError(
        404,
        "not_found",
        `no such admin endpoint: ${url.pathname} (GET /state, PUT /state, GET /stats, GET /healthz)`,
      );
    } catch (error) {
      if (error instanceof AdminHttpError)
        return send(res, error.status, { error: error.code, message: error.message });
      if (error instanceof RouterStateError)
        return send(res, error.status, {
          error: error.status === 409 ? "generation_mismatch" : "bad_request",
          message: error.message,
        });
      return send(res, 500, { error: "internal", message: "the router failed to answer; see its log" });
    }
  };
}

function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim() ?? "");
  // timingSafeEqual needs equal lengths; comparing against itself keeps the time the same.
  const same = given.length === expected.length;
  return timingSafeEqual(same ? given : expected, expected) && same;
}

function statsWindow(params: URLSearchParams): { since: number; until?: number } {
  const since = epochMs(params.get("since"), "since");
  if (since === undefined)
    throw new AdminHttpError(
      400,
      "bad_request",
      "since is required: GET /stats?since=<epoch ms>[&until=<epoch ms>]",
    );
  const until = epochMs(params.get("until"), "until");
  if (until !== undefined && until < since)
    throw new AdminHttpError(400, "bad_request", `until (${until}) is before since (${since})`);
  return until === undefined ? { since } : { since, until };
}

function epochMs(value: string | null, name: string): number | undefined {
  if (value === null || value === "") return undefined;
  if (!/^\d{1,16}$/.test(value))
    throw new AdminHttpError(
      400,
      "bad_request",
      `${name} must be a time in epoch milliseconds, not '${value}'`,
    );
  return Number(value);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ADMIN_BODY_BYTES)
      throw new AdminHttpError(413, "too_large", `the body is over ${MAX_ADMIN_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    // The parser's message quotes the body, which is not ours to echo.
    throw new AdminHttpError(
      400,
      "bad_request",
      "the body is not valid JSON: send { weights?, mirror?, expect_generation? }",
    );
  }
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
