import {
  type AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import { initChatModel, MODEL_PROVIDER_CONFIG } from "langchain/chat_models/universal";
import { DEFAULT_MAX_ROUNDS } from "../agent/loop.js";
import { UsageMeter } from "../agent/pricing.js";
import { loadPrompt, type Prompt } from "../agent/prompts.js";
import { type ModelConversation, requestMessage, runRounds, submissionContext } from "../agent/rounds.js";
import { checkSubmission } from "../agent/submit-tool.js";
import type { ToolCall } from "../agent/tool-dispatch.js";
import type { Planner, PlanRequest, PlanResult, TranscriptEntry } from "../types.js";
import { langchainTools } from "./tools.js";

export interface LangChainPlannerOptions {
  /** A LangChain provider: anthropic, openai, ollama, … (`initChatModel`'s `modelProvider`). */
  provider: string;
  model: string;
  /**
   * Passed to the provider's chat model class as they are: `apiKey`, `baseUrl` (ollama),
   * `anthropicApiUrl`, `temperature`, `maxRetries`, …
   */
  fields?: Record<string, unknown>;
  /** Model calls allowed per plan (default 8). */
  maxRounds?: number;
}

/** A provider LangChain does not know: the ones it does. */
export class UnknownProviderError extends Error {
  constructor(provider: string) {
    super(
      `LangChain has no model provider '${provider}'; the providers are ${Object.keys(MODEL_PROVIDER_CONFIG).join(", ")}`,
    );
    this.name = "UnknownProviderError";
  }
}

/** A provider whose package is not installed: the package, and the command that installs it. */
export class MissingProviderPackageError extends Error {
  constructor(provider: string, pkg: string) {
    super(
      `--planner langchain:${provider}:… needs the package ${pkg}, which is not installed: npm install ${pkg}`,
    );
    this.name = "MissingProviderPackageError";
  }
}

/**
 * Splits `<provider>:<model>` at the first colon: a model name may hold colons itself
 * (`ollama:llama3.1:8b` is provider `ollama`, model `llama3.1:8b`).
 */
export function parseLangChainSpec(spec: string): { provider: string; model: string } {
  const colon = spec.indexOf(":");
  const provider = colon < 0 ? "" : spec.slice(0, colon).trim();
  const model = colon < 0 ? "" : spec.slice(colon + 1).trim();
  if (!provider || !model) {
    throw new Error(
      `expected langchain:<provider>:<model>, such as langchain:ollama:llama3.1, not '${spec}'`,
    );
  }
  return { provider, model };
}

/**
 * The LangChain planner (DESIGN.md §7): the same loop as the Claude agent (`runRounds`), the same
 * registry tools and prompt, through any chat model `initChatModel` can make. Resolves once the
 * provider's package is known to be installed, so that a missing one is reported before any work.
 *
 * @example
 * const planner = await langchainPlanner({ provider: "ollama", model: "llama3.1" });
 */
export async function langchainPlanner(options: LangChainPlannerOptions): Promise<Planner> {
  const { provider, model } = options;
  const config = (MODEL_PROVIDER_CONFIG as Record<string, { package: string } | undefined>)[provider];
  if (!config) throw new UnknownProviderError(provider);
  try {
    await import(config.package);
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_MODULE_NOT_FOUND") {
      throw new MissingProviderPackageError(provider, config.package);
    }
    throw error;
  }
  const name = `langchain:${provider}:${model}`;
  return {
    name,
    async plan(request: PlanRequest): Promise<PlanResult> {
      const prompt = await loadPrompt("planner-system");
      try {
        return await planWith(request, options, prompt);
      } catch (error) {
        if (error instanceof Error && !error.message.startsWith(name))
          error.message = `${name}: ${error.message}`;
        throw error;
      }
    },
  };
}

async function planWith(
  plan: PlanRequest,
  options: LangChainPlannerOptions,
  prompt: Prompt,
): Promise<PlanResult> {
  const started = Date.now();
  const { provider, model } = options;
  const metadata = { planner: "langchain", model: `${provider}:${model}`, prompt_version: prompt.version };
  const anthropic = provider === "anthropic";
  const chat = await initChatModel(model, { ...options.fields, modelProvider: provider });
  const tools = langchainTools({
    services: { system: plan.system, catalog: plan.catalog },
    submit: async (input) => {
      const submission = checkSubmission(input, await submissionContext(plan, metadata));
      return submission.accepted
        ? JSON.stringify({ valid: true, notes: submission.notes })
        : submission.content;
    },
    cacheToolDefinitions: anthropic,
  });
  const bound = chat.bindTools(tools);
  const transcript: TranscriptEntry[] = [];
  const meter = new UsageMeter(model);
  const first = requestMessage(plan);
  transcript.push({ role: "planner", text: first });
  const messages: BaseMessage[] = [
    // Anthropic caches the system prompt at a breakpoint; other providers take plain text.
    new SystemMessage(
      anthropic
        ? { content: [{ type: "text", text: prompt.text, cache_control: { type: "ephemeral" } }] }
        : prompt.text,
    ),
    new HumanMessage(first),
  ];
  let calls = 0;
  const conversation: ModelConversation = {
    async send() {
      const reply: AIMessageChunk = await bound.invoke(messages, { signal: plan.signal });
      // Every call needs an id for its answer to name; a provider that gives none gets ours.
      for (const c of reply.tool_calls ?? []) c.id ||= `call_${++calls}`;
      for (const c of reply.invalid_tool_calls ?? []) c.id ||= `call_${++calls}`;
      messages.push(reply);
      const usage = reply.usage_metadata;
      const read = usage?.input_token_details?.cache_read ?? 0;
      const written = usage?.input_token_details?.cache_creation ?? 0;
      // LangChain's input_tokens counts cached tokens too; the meter keeps them apart.
      meter.add({
        input_tokens: Math.max(0, (usage?.input_tokens ?? 0) - read - written),
        output_tokens: usage?.output_tokens ?? 0,
        cache_read_input_tokens: read,
        cache_creation_input_tokens: written,
      });
      // A call whose arguments did not parse is answered too: its raw text fails the input check.
      const toolCalls: ToolCall[] = [
        ...(reply.tool_calls ?? []).map((c) => ({ id: c.id ?? "", name: c.name, input: c.args as unknown })),
        ...(reply.invalid_tool_calls ?? []).map((c) => ({
          id: c.id ?? "",
          name: c.name ?? "",
          input: c.args as unknown,
        })),
      ];
      return { text: reply.text, calls: toolCalls };
    },
    answer(answers) {
      for (const a of answers) {
        messages.push(
          new ToolMessage({
            content: a.content,
            tool_call_id: a.id,
            name: a.name,
            status: a.isError ? "error" : "success",
          }),
        );
      }
    },
    say(text) {
      messages.push(new HumanMessage(text));
    },
  };
  return runRounds(conversation, {
    plan,
    maxRounds: options.maxRounds ?? DEFAULT_MAX_ROUNDS,
    metadata,
    meter,
    transcript,
    started,
  });
}
