import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** Where the scripted transcripts live. */
export const ANTHROPIC_FIXTURES = join(import.meta.dirname, "..", "fixtures", "anthropic");

/** A scripted model: the responses to give, in order (a recorded transcript also has `request`s). */
export interface Script {
  turns: { response: unknown; request?: unknown }[];
}

/** One request the fake server got. The API key's value is never kept: only whether it came. */
export interface ReceivedRequest {
  method: string;
  path: string;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  /** Whether a key came, as `x-api-key` or as `Authorization: Bearer`. */
  apiKeyPresent: boolean;
  anthropicVersion: string | undefined;
}

export interface FakeAnthropic {
  /** For the SDK's `baseURL` (or ChatAnthropic's `anthropicApiUrl`). */
  baseURL: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Reads `test/fixtures/anthropic/<name>.json`. */
export function loadScript(name: string): Script {
  return JSON.parse(readFileSync(join(ANTHROPIC_FIXTURES, `${name}.json`), "utf8")) as Script;
}

/**
 * A loopback server speaking enough of the Anthropic Messages API (`POST /v1/messages`, JSON,
 * not streamed) for the real SDK: it answers each request with the script's next response and
 * records what it got. When the script runs out it answers HTTP 500 with a message saying so
 * (create the client with `maxRetries: 0`, so that the error surfaces at once).
 */
export async function startFakeAnthropic(script: Script): Promise<FakeAnthropic> {
  const requests: ReceivedRequest[] = [];
  let next = 0;
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => reply(res, 500, apiError("api_error", String(error))));
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (req.method !== "POST" || path !== "/v1/messages") {
      return reply(
        res,
        404,
        apiError("not_found_error", `fake-anthropic serves POST /v1/messages, not ${req.method} ${path}`),
      );
    }
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    requests.push({
      method: req.method,
      path,
      body,
      // SDKs send the key as `x-api-key` (up to 0.x) or as a bearer token (1.x).
      apiKeyPresent:
        Boolean(header(req, "x-api-key")) || /^Bearer \S+/.test(header(req, "authorization") ?? ""),
      anthropicVersion: header(req, "anthropic-version"),
    });
    if (body.stream === true) {
      return reply(res, 400, apiError("invalid_request_error", "fake-anthropic does not stream"));
    }
    const turn = script.turns[next];
    if (!turn) {
      return reply(
        res,
        500,
        apiError(
          "api_error",
          `fake-anthropic: the script has ${script.turns.length} turn(s) and request ${next + 1} came`,
        ),
      );
    }
    next += 1;
    reply(res, 200, turn.response);
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function apiError(type: string, message: string) {
  return { type: "error", error: { type, message } };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "request-id": `req_fake_${Date.now().toString(36)}`,
  });
  res.end(text);
}
