import { callTool, plannerTools } from "../../../tools/registry.js";
import { ToolInputError, type ToolServices } from "../../../tools/tool.js";
import { redactText } from "../../adapters/redact.js";

/** A tool call of a model's reply, in provider-neutral terms. */
export interface ToolCall {
  /** The provider's id for the call (`toolu_…`), which its result must name. */
  id: string;
  name: string;
  input: unknown;
}

/** The answer to one tool call: JSON text, flagged as an error when the model should fix its call. */
export interface ToolAnswer {
  id: string;
  name: string;
  content: string;
  isError: boolean;
}

/** Wraps an unexpected failure of a tool, so that the plan stops and says which tool failed. */
export class ToolFailedError extends Error {
  constructor(name: string, cause: unknown) {
    super(`the planner's tool ${name} failed: ${redactText((cause as Error)?.message ?? String(cause))}`, {
      cause,
    });
    this.name = "ToolFailedError";
  }
}

/**
 * Runs one of the registry's planner tools for a model. What the tool returns goes back as JSON
 * text: data, whatever it contains (comments, names, rows). A problem the model can fix (an
 * unknown tool, a bad input, an unknown table) comes back as an error result it can act on; any
 * other failure stops the plan.
 */
export async function answerToolCall(call: ToolCall, services: ToolServices): Promise<ToolAnswer> {
  const answer = (content: unknown, isError: boolean): ToolAnswer => ({
    id: call.id,
    name: call.name,
    content: JSON.stringify(content),
    isError,
  });
  const tool = plannerTools.find((t) => t.name === call.name);
  if (!tool) {
    return answer(
      {
        error: `there is no tool '${call.name}'; the tools are ${plannerTools.map((t) => t.name).join(", ")}`,
      },
      true,
    );
  }
  try {
    return answer(await callTool(tool, call.input, services), false);
  } catch (error) {
    if (error instanceof ToolInputError) return answer({ error: error.message }, true);
    throw new ToolFailedError(call.name, error);
  }
}
