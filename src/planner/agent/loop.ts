import type Anthropic from "@anthropic-ai/sdk";
import { plannerTools, toolJsonSchema } from "../../../tools/registry.js";
import type { PlanRequest, PlanResult, TranscriptEntry } from "../types.js";
import { UsageMeter } from "./pricing.js";
import type { Prompt } from "./prompts.js";
import type { TranscriptRecorder } from "./recording.js";
import {
  type ModelConversation,
  type ModelReply,
  REFUSAL_PREFIX,
  requestMessage,
  runRounds,
} from "./rounds.js";
import { SUBMIT_TOOL_DESCRIPTION, SUBMIT_TOOL_NAME, submitInputSchema } from "./submit-tool.js";
import type { ToolAnswer } from "./tool-dispatch.js";

type MessageParam = Anthropic.Messages.MessageParam;
type CreateParams = Anthropic.Messages.MessageCreateParamsNonStreaming;

export interface AnthropicLoopOptions {
  client: Anthropic;
  model: string;
  /** Model calls allowed (default 8). */
  maxRounds?: number;
  /** `max_tokens` of each call: room for a whole blueprint (default 16000). */
  maxTokens?: number;
  prompt: Prompt;
  recorder?: TranscriptRecorder;
}

export const DEFAULT_MAX_ROUNDS = 8;
const DEFAULT_MAX_TOKENS = 16_000;

/**
 * The tools the model gets: the registry's planner tools (name, description, JSON schema of the
 * zod input) and submit_blueprint. The last one carries the cache breakpoint, so that the whole
 * list of tool definitions is cached with the system prompt.
 */
export function anthropicTools(): Anthropic.Messages.Tool[] {
  const tools: Anthropic.Messages.Tool[] = plannerTools.map((tool) => {
    // `$schema` names the dialect; a tool's input schema is a bare schema object.
    const { $schema: _dialect, ...schema } = toolJsonSchema(tool);
    return { name: tool.name, description: tool.description, input_schema: { ...schema, type: "object" } };
  });
  tools.push({
    name: SUBMIT_TOOL_NAME,
    description: SUBMIT_TOOL_DESCRIPTION,
    input_schema: submitInputSchema(),
  });
  const last = tools[tools.length - 1];
  if (last) last.cache_control = { type: "ephemeral" };
  return tools;
}

/**
 * Plans with Claude through `messages.create`: a stateless loop of our own, every request carrying
 * the whole conversation, the cached system prompt and tool definitions. See `runRounds` for the
 * rules of the loop.
 */
export async function runAnthropicLoop(
  plan: PlanRequest,
  options: AnthropicLoopOptions,
): Promise<PlanResult> {
  const started = Date.now();
  const transcript: TranscriptEntry[] = [];
  const meter = new UsageMeter(options.model);
  const first = requestMessage(plan);
  transcript.push({ role: "planner", text: first });
  const conversation = anthropicConversation(plan, options, meter, first);
  return runRounds(conversation, {
    plan,
    maxRounds: options.maxRounds ?? DEFAULT_MAX_ROUNDS,
    metadata: { planner: "anthropic", model: options.model, prompt_version: options.prompt.version },
    meter,
    transcript,
    started,
  });
}

function anthropicConversation(
  plan: PlanRequest,
  options: AnthropicLoopOptions,
  meter: UsageMeter,
  first: string,
): ModelConversation {
  const messages: MessageParam[] = [{ role: "user", content: first }];
  const system: Anthropic.Messages.TextBlockParam[] = [
    { type: "text", text: options.prompt.text, cache_control: { type: "ephemeral" } },
  ];
  const tools = anthropicTools();
  return {
    async send(): Promise<ModelReply> {
      const body: CreateParams = {
        model: options.model,
        max_tokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
        system,
        tools,
        // A copy: the request body recorded for this turn must not grow with later turns.
        messages: [...messages],
      };
      const response = await options.client.messages.create(body, { signal: plan.signal });
      options.recorder?.turn(body, response);
      meter.add(response.usage);
      messages.push({ role: "assistant", content: response.content });
      const text = response.content
        .flatMap((block) => (block.type === "text" ? [block.text] : []))
        .join("\n");
      const calls = response.content.flatMap((block) =>
        block.type === "tool_use" ? [{ id: block.id, name: block.name, input: block.input }] : [],
      );
      if (response.stop_reason === "refusal" && calls.length === 0) {
        return {
          text: `${REFUSAL_PREFIX} the model declined the request (stop_reason refusal). ${text}`,
          calls,
        };
      }
      return { text, calls };
    },
    answer(answers: readonly ToolAnswer[]) {
      messages.push({
        role: "user",
        content: answers.map((a) => ({
          type: "tool_result" as const,
          tool_use_id: a.id,
          content: a.content,
          ...(a.isError ? { is_error: true } : {}),
        })),
      });
    },
    say(text: string) {
      messages.push({ role: "user", content: text });
    },
  };
}
