import { z } from "zod";
import { approveStepTool } from "./approve-step.js";
import { deploymentTemplate } from "./deployment-template.js";
import { describeTable } from "./describe-table.js";
import { discoverSystem } from "./discover-system.js";
import { explainBlueprintTool } from "./explain-blueprint.js";
import { findDependents } from "./find-dependents.js";
import { getReport } from "./get-report.js";
import { getRunStatus } from "./get-run-status.js";
import { listComponents } from "./list-components.js";
import { planMigration } from "./plan-migration.js";
import { rollbackRun } from "./rollback-run.js";
import { runHealthChecks } from "./run-health-checks.js";
import { runMigration } from "./run-migration.js";
import { tableStats } from "./table-stats.js";
import { type ToolDef, ToolInputError, type ToolServices } from "./tool.js";
import { validateBlueprintTool } from "./validate-blueprint.js";

/** The read-only tools that look at the system: what a planner explores before it drafts. */
export const discoveryTools: readonly ToolDef[] = [
  listComponents,
  discoverSystem,
  describeTable,
  tableStats,
  findDependents,
];

/** What a planning agent gets: discovery, and the core's validation and explanation of a draft. */
export const plannerTools: readonly ToolDef[] = [
  ...discoveryTools,
  deploymentTemplate,
  validateBlueprintTool,
  explainBlueprintTool,
];

/**
 * What a surface that plans and executes adds (MCP, HTTP): planning from a sentence, runs,
 * approvals, rollbacks, health checks and reports. They need `shelf`, `runs` and `planner`.
 */
export const executionTools: readonly ToolDef[] = [
  planMigration,
  runMigration,
  getRunStatus,
  approveStepTool,
  rollbackRun,
  runHealthChecks,
  getReport,
];

/** Every tool of this build: the MCP server's set. */
export const allTools: readonly ToolDef[] = [...plannerTools, ...executionTools];

/** The tool with this name, or undefined. */
export function toolByName(name: string): ToolDef | undefined {
  return allTools.find((tool) => tool.name === name);
}

/**
 * Runs a tool the way every surface does: the input is parsed with the tool's schema (a mismatch
 * is the caller's to fix: `ToolInputError`, with zod's readable account of it), the handler runs,
 * and its result is checked against the output schema. A result that does not fit is a bug in the
 * tool, not in the call, and fails with a plain Error. Returns the output as parsed.
 *
 * @example const out = await callTool(toolByName("describe_table")!, { table: "users" }, services);
 */
export async function callTool<I extends z.ZodType, O extends z.ZodType>(
  tool: ToolDef<I, O>,
  rawInput: unknown,
  services: ToolServices,
): Promise<z.infer<O>> {
  const input = tool.input.safeParse(rawInput ?? {});
  if (!input.success) {
    throw new ToolInputError(`invalid input for ${tool.name}:\n${z.prettifyError(input.error)}`);
  }
  const result = await tool.handler(input.data, services);
  const output = tool.output.safeParse(result);
  if (!output.success) {
    throw new Error(
      `tool ${tool.name} returned a result that does not fit its output schema:\n${z.prettifyError(output.error)}`,
    );
  }
  return output.data;
}

/**
 * The tool's input as a JSON Schema (draft 2020-12): what the Anthropic API (`input_schema`), LangChain
 * and MCP (`inputSchema`) are given. Every tool's input is an object, as those APIs require.
 */
export function toolJsonSchema(tool: ToolDef): Record<string, unknown> {
  return z.toJSONSchema(tool.input, { target: "draft-2020-12", io: "input" }) as Record<string, unknown>;
}
