import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcpShop } from "../test/support/mcp-shop.js";
import { type HttpHandle, startHttp } from "./http.js";
import { createMcpServer } from "./server.js";

// biome-ignore lint/suspicious/noExplicitAny: tests read the tools' JSON results freely
type Json = any;

const TOKEN = "test-token-0123456789";
const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1" } },
};

let shop: Awaited<ReturnType<typeof mcpShop>>;
let http: HttpHandle;
let services: Awaited<ReturnType<typeof mcpShop>>["services"];

beforeAll(async () => {
  shop = await mcpShop();
  services = shop.services;
  http = await startHttp({
    host: "127.0.0.1",
    port: 0,
    token: TOKEN,
    makeServer: () => createMcpServer({ services, readOnly: false, version: "test" }),
  });
});

afterAll(async () => {
  await http?.close();
  await shop?.close();
});

function post(headers: Record<string, string>, body: unknown = INITIALIZE): Promise<Response> {
  return fetch(http.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

describe("MCP over Streamable HTTP on 127.0.0.1", () => {
  it("listens on loopback", () => {
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  it("refuses a request without the token (401) or with a wrong one", async () => {
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await none.text()).toMatch(/bearer token is required/);
    expect((await post({ authorization: "Bearer nope" })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
  });

  it("refuses a browser on another origin (403), even with the token", async () => {
    const foreign = await post({ authorization: `Bearer ${TOKEN}`, origin: "http://evil.example" });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toMatch(/origin http:\/\/evil.example is not allowed/);
    // A page on the server's own origin is let through.
    const own = await post({ authorization: `Bearer ${TOKEN}`, origin: `http://127.0.0.1:${http.port}` });
    expect(own.status).toBe(200);
  });

  it("refuses a Host that is not this server (DNS rebinding without an Origin)", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        http.url,
        {
          method: "POST",
          headers: {
            host: `rebound.example:${http.port}`,
            authorization: `Bearer ${TOKEN}`,
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(INITIALIZE));
    });
    expect(status).toBe(403);
  });

  it("with the token: plan → validate → run (approval by the person's code) → status → report", async () => {
    const client = new Client({ name: "http-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(http.url), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    const ok = async (name: string, args: Record<string, unknown>): Promise<Json> => {
      const result = (await client.callTool({ name, arguments: args }, undefined, {
        timeout: 120_000,
      })) as CallToolResult;
      if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
      return result.structuredContent;
    };
    const plan = await ok("plan_migration", { request: "make orders.total_cents a bigint" });
    expect(plan.valid).toBe(true);
    const validated = await ok("validate_blueprint", { blueprint: plan.blueprint_yaml });
    expect(validated.blueprint_hash).toBe(plan.blueprint_hash);
    const run = await ok("run_migration", { blueprint_hash: plan.blueprint_hash });
    expect(run.status).toBe("awaiting_approval");
    const gated = run.waiting.approvals[0].step_id;
    const code = (await services.runs.view(run.run_id)).waiting.approvals[0]?.code;
    await ok("approve_step", { run_id: run.run_id, step_id: gated, approval_code: code });
    const done = await ok("run_migration", { run_id: run.run_id });
    expect(done.status).toBe("completed");
    const status = await ok("get_run_status", { run_id: run.run_id });
    expect(status.run.steps.every((s: Json) => s.state === "succeeded")).toBe(true);
    const report = await ok("get_report", { run_id: run.run_id });
    expect(report.run.status).toBe("completed");
    expect(report.approvals.map((a: Json) => a.step_id)).toEqual([gated]);
    await client.close();
  });
});

describe("sessions", () => {
  it("a session left idle is closed; its id is then unknown (404)", async () => {
    const short = await startHttp({
      host: "127.0.0.1",
      port: 0,
      token: TOKEN,
      idleMs: 150,
      makeServer: () => createMcpServer({ services, readOnly: true, version: "test" }),
    });
    try {
      const client = new Client({ name: "idle", version: "1.0.0" });
      const transport = new StreamableHTTPClientTransport(new URL(short.url), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      });
      await client.connect(transport);
      expect(short.sessions()).toBe(1);
      const id = transport.sessionId as string;
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(short.sessions()).toBe(0);
      const stale = await fetch(short.url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${TOKEN}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-session-id": id,
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
      });
      expect(stale.status).toBe(404);
    } finally {
      await short.close();
    }
  });
});
