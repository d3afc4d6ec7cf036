import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Command } from "commander";
import { newToken, startHttp } from "../../../mcp/http.js";
import { createMcpServer } from "../../../mcp/server.js";
import { openMcpServices } from "../../../mcp/services.js";
import { servedTools } from "../../../mcp/tools.js";
import { holdEmbedded } from "../../adapters/postgres/pglite-hold.js";
import { DEFAULTS } from "../../core/blueprint/effective.js";
import { PLANNER_HELP, selectPlanner } from "../../planner/select.js";
import { describeEvent } from "../../render/run-event.js";
import type { RunView } from "../../services/run-service.js";
import { parseTarget } from "../../services/system.js";
import type { RunEvent } from "../../store/types.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";
import { version } from "../version.js";

interface McpOptions {
  target: string[];
  planner: string;
  model?: string;
  state?: string;
  readOnly?: boolean;
  approvalThreshold?: string;
  http?: boolean;
  port: string;
  host: string;
  allowOrigin: string[];
}

const repeat = (value: string, previous: string[] = []) => [...previous, value];

export function registerMcp(program: Command, context: CliContext): void {
  program
    .command("mcp")
    .description(
      "serve the tools, resources and prompt over MCP: stdio (default) or Streamable HTTP (--http)",
    )
    .option(
      "--target <spec>",
      "a component to work on: [ID=]postgres://…, pglite:PATH or env:NAME (a database), ID=router:ADMIN_URL?public=URL (a traffic route), ID=http://… (a service); repeat",
      repeat,
      [],
    )
    .option("--planner <name>", `plan_migration's planner: ${PLANNER_HELP}`, "offline")
    .option("--model <model>", "the model of --planner anthropic")
    .option(
      "--state <dir>",
      "where run state is kept (default .migration-architect/; MA_STATE_URL for PostgreSQL)",
    )
    .option(
      "--read-only",
      "serve only the read-only tools: discover, plan, validate, explain, status, reports, checks",
    )
    .option(
      "--approval-threshold <risk>",
      `steps above this risk need your approval; a blueprint may lower it, never raise it (default ${DEFAULTS.requireApprovalAbove})`,
    )
    .option(
      "--http",
      "serve Streamable HTTP at /mcp instead of stdio (bearer token: MA_MCP_TOKEN, else generated)",
    )
    .option("--port <n>", "with --http: the port (0 picks a free one)", "7337")
    .option("--host <address>", "with --http: the address to listen on", "127.0.0.1")
    .option(
      "--allow-origin <origin>",
      "with --http: a browser origin allowed besides the server's own (repeat)",
      repeat,
      [],
    )
    .addHelpText(
      "after",
      `
stdio: stdout carries the protocol only; the log (runs, approvals waiting, with the approval codes
you give your assistant) goes to stderr.

Approvals: a step above the threshold runs only with your word: through a form in your client
where it supports MCP elicitation; otherwise the run waits, and you read the step's approval code
in this server's log or in \`migration-architect status RUN\` and give it to your assistant.

Examples:
  migration-architect mcp --target app=postgres://localhost/shop
  MA_MCP_TOKEN=… migration-architect mcp --http --port 7337 --target app=env:DATABASE_URL
  claude mcp add migration-architect -e DATABASE_URL=postgres://… -- node /path/to/dist/src/cli/main.js mcp --target app=env:DATABASE_URL --state /path/to/state`,
    )
    .action(async (options: McpOptions) => {
      const env: Record<string, string | undefined> = { ...context.env };
      const components = options.target.map((spec) => {
        try {
          const parsed = parseTarget(spec, env);
          Object.assign(env, parsed.env);
          return parsed.component;
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      });
      const ids = components.map((c) => c.id);
      if (new Set(ids).size !== ids.length)
        throw new UsageError("two --target share an id; name them: ID=REFERENCE");
      const threshold =
        options.approvalThreshold === undefined ? undefined : Number(options.approvalThreshold);
      if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) {
        throw new UsageError(
          `--approval-threshold must be a risk between 0 and 1, not '${options.approvalThreshold}'`,
        );
      }
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port ${options.port} is not a port`);
      let planner: Awaited<ReturnType<typeof selectPlanner>>;
      try {
        planner = await selectPlanner(options.planner, env, { model: options.model });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }

      let letGo: () => Promise<void>;
      try {
        letGo = await holdEmbedded(components, env);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      // Everything but the protocol goes to stderr (on stdio, stdout is the protocol's).
      const log = (line: string) => context.err(`[migration-architect] ${line}`);
      const services = openMcpServices({
        components,
        adapters: context.adapters,
        env,
        catalog: context.catalog,
        planner,
        state: { stateDir: options.state, stateUrl: context.env.MA_STATE_URL },
        approvalThreshold: threshold,
        log: runLog(log),
        onWaiting: waitingLog(log),
      });
      const readOnly = Boolean(options.readOnly);
      const makeServer = () => createMcpServer({ services, readOnly, version: version() });
      const served = `${servedTools(readOnly).length} tools${readOnly ? " (read-only)" : ""}`;
      const targets = components.length
        ? components.map((c) => c.id).join(", ")
        : "no --target: nothing to discover";
      const settle = async () => {
        const busy = services.runs.executingRuns;
        if (busy.length) log(`waiting for ${busy.join(", ")} to reach a safe point before stopping`);
        await services.runs.settle();
        await letGo();
      };

      if (!options.http) {
        const server = makeServer();
        const closed = new Promise<void>((resolve) => {
          server.server.onclose = () => resolve();
        });
        await server.connect(new StdioServerTransport());
        process.stdin.once("end", () => void server.close());
        log(`MCP server on stdio: ${served}; planner ${planner.name}; targets: ${targets}`);
        await closed;
        await settle();
        context.exit(EXIT.ok);
        return;
      }

      const given = context.env.MA_MCP_TOKEN?.trim();
      const token = given || newToken();
      const http = await startHttp({
        host: options.host,
        port,
        token,
        allowedOrigins: options.allowOrigin,
        makeServer,
        log,
      });
      context.out(
        `MCP server (Streamable HTTP) at ${http.url}: ${served}; planner ${planner.name}; targets: ${targets}`,
      );
      context.out(given ? "bearer token: from MA_MCP_TOKEN" : `bearer token: ${token}`);
      context.out(
        `add it to Claude Code: claude mcp add --transport http migration-architect ${http.url} --header "Authorization: Bearer ${given ? "$MA_MCP_TOKEN" : token}"`,
      );
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      log("stopping");
      await http.close();
      await settle();
      context.exit(EXIT.ok);
    });
}

/** The server's log of its runs: one line per event that matters. */
function runLog(log: (line: string) => void): (event: RunEvent) => void {
  return (event) => {
    const line = describeEvent(event);
    if (line) log(`${event.run_id} ${line.trim()}`);
  };
}

/**
 * When a run rests waiting for the person: each step and its approval code — shown here, to the
 * person, and never in a tool result.
 */
function waitingLog(log: (line: string) => void): (view: RunView) => void {
  return ({ run, waiting }) => {
    for (const a of waiting.approvals)
      log(
        `run ${run.id} waits for your approval of step ${a.step_id} (risk ${a.risk ?? "?"}): its approval code is ${a.code} ` +
          `(give it to your assistant for approve_step, or run: migration-architect approve ${run.id} --step ${a.step_id})`,
      );
    const c = waiting.confirmation;
    if (c)
      log(
        `run ${run.id} waits for your confirmation of the rollback of step ${c.step_id} (${c.instructions}): its approval code is ${c.code} ` +
          `(give it to your assistant for approve_step, or run: migration-architect approve ${run.id} --confirm ${c.step_id})`,
      );
  };
}
