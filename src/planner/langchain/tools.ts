import { type DynamicStructuredTool, tool } from "@langchain/core/tools";
import type { z } from "zod";
import { plannerTools } from "../../../tools/registry.js";
import type { ToolServices } from "../../../tools/tool.js";
import { BlueprintDocument } from "../../core/blueprint/schema.js";
import { SUBMIT_TOOL_DESCRIPTION, SUBMIT_TOOL_NAME } from "../agent/submit-tool.js";
import { answerToolCall } from "../agent/tool-dispatch.js";

export interface LangChainToolsOptions {
  services: ToolServices;
  /** Checks a submitted blueprint document; returns the tool result's JSON text. */
  submit(input: unknown): Promise<string>;
  /**
   * Marks the last tool as a prompt-cache breakpoint (ChatAnthropic reads `extras.cache_control`),
   * so that the tool definitions are cached. Only for the anthropic provider.
   */
  cacheToolDefinitions?: boolean;
}

/**
 * The registry's planner tools as LangChain tools, and submit_blueprint: each keeps its name, its
 * description and its zod input schema as they are (LangChain converts the schema for the
 * provider), and runs the same handler the Claude agent and the MCP server run.
 */
export function langchainTools(options: LangChainToolsOptions): DynamicStructuredTool[] {
  const tools = plannerTools.map((def) =>
    tool(
      async (input: unknown) =>
        (await answerToolCall({ id: def.name, name: def.name, input }, options.services)).content,
      {
        name: def.name,
        description: def.description,
        schema: def.input as z.ZodObject,
      },
    ),
  );
  tools.push(
    tool(async (input: unknown) => options.submit(input), {
      name: SUBMIT_TOOL_NAME,
      description: SUBMIT_TOOL_DESCRIPTION,
      schema: BlueprintDocument,
    }),
  );
  const last = tools[tools.length - 1];
  if (options.cacheToolDefinitions && last)
    last.extras = { ...last.extras, cache_control: { type: "ephemeral" } };
  return tools as DynamicStructuredTool[];
}
