import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ToolServices } from "../tools/tool.js";
import { registerPrompt } from "./prompt.js";
import { registerResources } from "./resources.js";
import { registerTools, servedTools } from "./tools.js";

export interface McpServerOptions {
  /** The services every call runs over: the system, catalogue, shelf, runs and planner. */
  services: ToolServices;
  /** Serve only the read-only tools (no run, approval or rollback). */
  readOnly: boolean;
  version: string;
}

/** What the server tells a client about itself when it connects (MCP `instructions`). */
export const INSTRUCTIONS = `Migration Architect plans and runs zero-downtime migrations of the system this server was started for.
Plan: discover_system, then plan_migration with the person's request in plain words (or write a blueprint and validate_blueprint it). Show the person the plan: its steps, risks and the steps that need their approval.
Run: only when the person asks, run_migration with the blueprint_hash that plan_migration or validate_blueprint returned: exactly that content runs.
Approvals are the person's, never yours: risky steps are asked of them through the client where it can; otherwise the run waits, and the person reads the step's approval code in the server's log or in \`migration-architect status RUN\`. Pass it on with approve_step only when they give it to you.
Follow a run with get_run_status and get_report; undo it with rollback_run.`;

/**
 * One MCP server over the shared tools (`tools/`), with the blueprint, run and report resources
 * and the planning prompt. A thin shell: every tool is the registry's, called with `callTool`.
 * A server serves one connection; the HTTP transport makes one per session over the same services.
 */
export function createMcpServer(options: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: "migration-architect", title: "Migration Architect", version: options.version },
    {
      capabilities: { tools: {}, resources: {}, prompts: {} },
      instructions: options.readOnly
        ? `${INSTRUCTIONS}\nThis server is read-only: it plans, validates and reports, and runs nothing.`
        : INSTRUCTIONS,
    },
  );
  registerTools(server, servedTools(options.readOnly), options.services);
  registerResources(server, options.services);
  registerPrompt(server, options.services);
  return server;
}
