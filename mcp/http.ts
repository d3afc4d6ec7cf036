import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";

export interface HttpOptions {
  /** Default 127.0.0.1: only this machine can reach it. */
  host: string;
  /** Default 7337; 0 picks a free port. */
  port: number;
  /** The bearer token every request must carry. */
  token: string;
  /** A session no request has used for this long is closed (default 30 minutes). */
  idleMs?: number;
  /** Origins allowed besides this server's own (http://127.0.0.1:PORT, http://localhost:PORT). */
  allowedOrigins?: readonly string[];
  /** A new MCP server for each session, over the shared services. */
  makeServer: () => McpServer;
  log?: (line: string) => void;
}

export interface HttpHandle {
  /** The endpoint: `http://HOST:PORT/mcp`. */
  url: string;
  port: number;
  /** Sessions open now. */
  sessions(): number;
  close(): Promise<void>;
}

/** A token for `--http` when none is given: 32 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Bodies larger than this are refused (a blueprint is rarely more than a few hundred KB). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * MCP over Streamable HTTP, at `/mcp`, one session per client (`mcp-session-id`). Before the SDK's
 * transport sees a request: the Origin, when a browser sends one, must be this server's own or one
 * allowed (403 otherwise: a page on another site, reaching 127.0.0.1 by DNS rebinding, is refused);
 * the Host must name this server when it listens on loopback (403); and the bearer token must
 * match (401). Written on node:http because the SDK's transport speaks it; the checks are ours.
 */
export async function startHttp(options: HttpOptions): Promise<HttpHandle> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  // A client that goes away without ending its session (DELETE) would leave it here for as long
  // as the server runs: sessions idle for longer than idleMs are closed.
  const lastUsed = new Map<string, number>();
  const idleMs = options.idleMs ?? 30 * 60_000;
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const [id, at] of lastUsed) {
        if (now - at < idleMs) continue;
        lastUsed.delete(id);
        void sessions.get(id)?.close();
        sessions.delete(id);
      }
    },
    Math.min(idleMs, 60_000),
  );
  sweep.unref();
  const expected = Buffer.from(options.token);
  let port = options.port;
  const loopback = ["127.0.0.1", "localhost", "::1"].includes(options.host);
  const origins = () =>
    new Set([
      `http://127.0.0.1:${port}`,
      `http://localhost:${port}`,
      `http://[::1]:${port}`,
      ...(loopback ? [] : [`http://${options.host}:${port}`]),
      ...(options.allowedOrigins ?? []),
    ]);
  const hosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path !== "/mcp") return plain(res, 404, "not found: the MCP endpoint is /mcp");
    const origin = req.headers.origin;
    if (origin !== undefined && !origins().has(origin)) {
      options.log?.(`refused a request from origin ${origin} (403)`);
      return plain(res, 403, `origin ${origin} is not allowed (--allow-origin adds one)`);
    }
    if (loopback && !hosts().has(req.headers.host ?? "")) {
      return plain(res, 403, `host ${req.headers.host ?? "(none)"} is not this server`);
    }
    const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim() ?? "";
    const buffer = Buffer.from(given);
    if (buffer.length !== expected.length || !timingSafeEqual(buffer, expected)) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="migration-architect"');
      return plain(
        res,
        401,
        "a bearer token is required: Authorization: Bearer <the token the server printed>",
      );
    }

    const sessionId = req.headers["mcp-session-id"];
    const existing = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
    if (existing && typeof sessionId === "string") lastUsed.set(sessionId, Date.now());
    if (req.method === "POST") {
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch (error) {
        return jsonRpcError(res, 400, -32700, `the body is not JSON: ${(error as Error).message}`);
      }
      if (existing) return existing.handleRequest(req, res, body);
      if (sessionId !== undefined) return jsonRpcError(res, 404, -32001, "no such session: initialize again");
      if (!isInitializeRequest(body)) {
        return jsonRpcError(res, 400, -32000, "no session: the first request must be initialize");
      }
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, transport);
          lastUsed.set(id, Date.now());
        },
      });
      transport.onclose = () => {
        if (transport.sessionId) {
          sessions.delete(transport.sessionId);
          lastUsed.delete(transport.sessionId);
        }
      };
      const server = options.makeServer();
      await server.connect(transport);
      return transport.handleRequest(req, res, body);
    }
    if (req.method === "GET" || req.method === "DELETE") {
      if (!existing) return jsonRpcError(res, 404, -32001, "no such session");
      return existing.handleRequest(req, res);
    }
    res.setHeader("Allow", "GET, POST, DELETE");
    return plain(res, 405, "method not allowed");
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.(`error serving ${req.method} ${req.url}: ${(error as Error)?.message ?? error}`);
      if (!res.headersSent) jsonRpcError(res, 500, -32603, "internal error");
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shown = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${shown}:${port}/mcp`,
    port,
    sessions: () => sessions.size,
    async close() {
      clearInterval(sweep);
      for (const transport of sessions.values()) await transport.close().catch(() => undefined);
      sessions.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(`${text}\n`);
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res
    .writeHead(status, { "content-type": "application/json" })
    .end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
