import { createServer, type IncomingHttpHeaders, type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";

/** What a fake upstream saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bytes: number;
}

export interface FakeUpstream {
  name: string;
  url: string;
  seen: SeenRequest[];
  /** Stops it: later connections are refused. */
  close(): Promise<void>;
}

/**
 * A small upstream for the router's tests, on a free loopback port. It answers JSON with its
 * name (or `options.body`), after `?delay=MS` (default `options.delayMs`), with `?status=CODE`
 * (default `options.status`, else 200).
 */
export async function startFakeUpstream(
  name: string,
  options: { body?: (req: IncomingMessage) => unknown; status?: number; delayMs?: number } = {},
): Promise<FakeUpstream> {
  const seen: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    let bytes = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) bytes += chunk.length;
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, bytes });
    const query = new URL(req.url ?? "/", "http://x").searchParams;
    const delay = Number(query.get("delay") ?? options.delayMs ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const status = Number(query.get("status") ?? options.status ?? 200);
    const body = JSON.stringify(options.body ? options.body(req) : { upstream: name, path: req.url, bytes });
    res.writeHead(status, { "content-type": "application/json", "x-upstream-header": name });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json(): unknown;
}

/** One HTTP request on a fresh connection (no client pool to hide what the router does). */
export function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

/** Sends `n` requests one after the other and counts which upstream answered each. */
export async function countUpstreams(url: string, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const reply = await call(url);
    const name = String(reply.headers["x-ma-upstream"] ?? `status ${reply.status}`);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
