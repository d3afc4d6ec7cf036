/**
 * The built server, as a user's client starts it: `node dist/src/cli/main.js mcp …` over stdio
 * (the SDK's StdioClientTransport), over Streamable HTTP (`mcp --http`), and through a third-party
 * client, the MCP Inspector's command-line client. `dist/` is rebuilt first when it is older than
 * the sources.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ROOT } from "../scripts/ensure-built.js";
import { APP_SCHEMA, SMALL_SEED } from "../src/adapters/postgres/backends.contract.js";
import { acquirePglite } from "../src/adapters/postgres/pglite-shared.js";

// biome-ignore lint/suspicious/noExplicitAny: tests read the tools' JSON results freely
type Json = any;

const run = promisify(execFile);
const INSPECTOR = join(ROOT, "node_modules", "@modelcontextprotocol", "inspector-cli", "build", "cli.js");
const EXAMPLE = join(ROOT, "examples", "rename-column.yaml");
const WIDEN = "make orders.total_cents a bigint";

let cli: string;
let dir: string;

/** A fresh shop database in its own directory, let go so that the server's process can open it. */
async function shopDb(name: string): Promise<string> {
  const path = join(dir, name);
  const shared = await acquirePglite({ kind: "file", path });
  await shared.db.exec(APP_SCHEMA);
  await shared.db.exec(SMALL_SEED);
  await shared.release();
  return path;
}

/** The server's environment: no test database, no state URL, no colours. */
function serverEnv(): Record<string, string> {
  const { TEST_DATABASE_URL: _t, MA_STATE_URL: _m, ...inherited } = process.env;
  return { ...(inherited as Record<string, string>), NO_COLOR: "1", FORCE_COLOR: "0" };
}

async function ok(client: Client, name: string, args: Record<string, unknown>): Promise<Json> {
  const result = (await client.callTool({ name, arguments: args }, undefined, {
    timeout: 120_000,
  })) as CallToolResult;
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
  return result.structuredContent;
}

beforeAll(() => {
  cli = ensureBuilt();
}, 180_000);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ma-mcp-built-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the built server over stdio", () => {
  it("plan → validate → run (the person approves with the code from the server's log) → status → report", async () => {
    const db = await shopDb("stdio-shop");
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cli, "mcp", "--target", `app-db=pglite:${db}`, "--state", join(dir, "stdio-state")],
      env: serverEnv(),
      stderr: "pipe",
    });
    let log = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString("utf8");
    });
    const client = new Client({ name: "stdio-test", version: "1.0.0" });
    // Anything on stdout that is not protocol would surface here as a parse error.
    const protocolErrors: Error[] = [];
    client.onerror = (error) => protocolErrors.push(error);
    await client.connect(transport);
    try {
      expect(client.getServerVersion()?.name).toBe("migration-architect");
      const plan = await ok(client, "plan_migration", { request: WIDEN });
      expect(plan).toMatchObject({ outcome: "blueprint", valid: true });
      const validated = await ok(client, "validate_blueprint", { blueprint: plan.blueprint_yaml });
      expect(validated.blueprint_hash).toBe(plan.blueprint_hash);

      const progress: number[] = [];
      const result = (await client.callTool(
        { name: "run_migration", arguments: { blueprint_hash: plan.blueprint_hash } },
        undefined,
        { timeout: 120_000, onprogress: (p) => progress.push(p.progress) },
      )) as CallToolResult;
      const waiting = result.structuredContent as Json;
      expect(waiting.status).toBe("awaiting_approval");
      expect(progress.length).toBeGreaterThan(0);
      const step = waiting.waiting.approvals[0].step_id;

      // The person reads the code in the server's log (stderr); the model never saw it. The log is
      // written as the run comes to rest: give it a moment to arrive.
      const pattern = new RegExp(
        `waits for your approval of step ${step} \\(risk [\\d.]+\\): its approval code is ([0-9a-f]{16})`,
      );
      for (let i = 0; i < 50 && !pattern.test(log); i++) await new Promise((r) => setTimeout(r, 100));
      const code = pattern.exec(log)?.[1];
      expect(code, log).toBeDefined();
      expect(JSON.stringify(result)).not.toContain(code);

      await ok(client, "approve_step", { run_id: waiting.run_id, step_id: step, approval_code: code });
      const done = await ok(client, "run_migration", { run_id: waiting.run_id });
      expect(done.status).toBe("completed");
      const status = await ok(client, "get_run_status", { run_id: waiting.run_id });
      expect(status.run.status).toBe("completed");
      const report = await ok(client, "get_report", { run_id: waiting.run_id });
      expect(report.markdown).toMatch(/status: \*\*completed\*\*/);
      expect(report.approvals.map((a: Json) => a.step_id)).toEqual([step]);
      expect(protocolErrors).toEqual([]);
      expect(log).toMatch(/MCP server on stdio: 15 tools; planner offline; targets: app-db/);
    } finally {
      await client.close();
    }
  });
});

describe("the built server over Streamable HTTP", () => {
  it("prints its URL and a generated token; 401 without it; serves with it; stops on SIGTERM", async () => {
    const db = await shopDb("http-shop");
    const child: ChildProcess = spawn(
      process.execPath,
      [
        cli,
        "mcp",
        "--http",
        "--port",
        "0",
        "--read-only",
        "--target",
        `app-db=pglite:${db}`,
        "--state",
        join(dir, "http-state"),
      ],
      { env: serverEnv(), stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
    });
    child.stderr?.resume();
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const started = Date.now();
      while (!/bearer token: \S+/.test(out) && Date.now() - started < 30_000) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const url = /at (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(out)?.[1];
      const token = /bearer token: (\S+)/.exec(out)?.[1];
      expect(url, out).toBeDefined();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const anonymous = await fetch(url as string, { method: "POST", body: "{}" });
      expect(anonymous.status).toBe(401);

      const client = new Client({ name: "http-built-test", version: "1.0.0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url as string), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).not.toContain("run_migration");
      expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
      const found = await ok(client, "discover_system", {});
      expect(found.components[0].postgres.tables.length).toBeGreaterThan(0);
      await client.close();
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});

describe("a third-party client: the MCP Inspector CLI", () => {
  // The Inspector CLI looks for its own package.json at ../package.json of the working directory
  // (a bug of v1.0.3): it is started from a directory one level below the project root.
  const inspector = (...args: string[]) =>
    run(
      process.execPath,
      [INSPECTOR, "--cli", process.execPath, cli, "mcp", "--state", join(dir, "inspector-state"), ...args],
      {
        cwd: join(ROOT, "test"),
        env: serverEnv(),
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );

  it("lists the tools", async () => {
    const { stdout } = await inspector("--method", "tools/list");
    const names = (JSON.parse(stdout) as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["validate_blueprint", "run_migration", "approve_step"]));
    expect(names).toHaveLength(15);
  });

  it("calls validate_blueprint on an example", async () => {
    const text = await readFile(EXAMPLE, "utf8");
    const { stdout } = await inspector(
      "--method",
      "tools/call",
      "--tool-name",
      "validate_blueprint",
      "--tool-arg",
      `blueprint=${text}`,
    );
    const result = JSON.parse(stdout) as { isError?: boolean; structuredContent: Json };
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.valid).toBe(true);
    expect(result.structuredContent.blueprint_hash).toMatch(/^sha256:/);
  });
});
