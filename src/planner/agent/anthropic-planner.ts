import Anthropic from "@anthropic-ai/sdk";
import type { Planner, PlanRequest, PlanResult } from "../types.js";
import { runAnthropicLoop } from "./loop.js";
import { loadPrompt } from "./prompts.js";
import { DEFAULT_RECORD_DIR, TranscriptRecorder } from "./recording.js";

/** The model used when neither `--model` nor `MA_MODEL` names one. */
export const DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-4-6";

export interface AnthropicPlannerOptions {
  /** Default: `MA_MODEL`, else `claude-sonnet-4-6`. */
  model?: string;
  /** Default: `ANTHROPIC_API_KEY`. */
  apiKey?: string;
  /** The Messages API's base URL (a proxy, or the tests' loopback server). */
  baseURL?: string;
  /** Model calls allowed per plan (default 8). */
  maxRounds?: number;
  /** The SDK's retries of a failed call (default 2). */
  maxRetries?: number;
  /**
   * A directory to write each plan's request/response transcript into. Default: with
   * `MA_RECORD=1`, test/fixtures/anthropic/recorded under the working directory; with
   * `MA_RECORD=<dir>`, that directory; else none.
   */
  record?: string;
  /** Where MA_MODEL, ANTHROPIC_API_KEY and MA_RECORD are read (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** No API key: what to set, or which planner needs none. */
export class MissingApiKeyError extends Error {
  constructor() {
    super(
      "the anthropic planner needs an API key: set ANTHROPIC_API_KEY (from console.anthropic.com), or plan without a model with --planner offline",
    );
    this.name = "MissingApiKeyError";
  }
}

/**
 * The Claude planner: an agent loop on the Anthropic Messages API with the registry's discovery
 * tools and submit_blueprint (DESIGN.md §7). The API key goes to the SDK's client only: it is
 * never part of a result, a transcript, a recording or an error message.
 *
 * @example
 * const planner = anthropicPlanner({ model: "claude-sonnet-4-6" });
 * const result = await planner.plan({ request, system, catalog: defaultCatalog() });
 */
export function anthropicPlanner(options: AnthropicPlannerOptions = {}): Planner {
  const env = options.env ?? process.env;
  const model = options.model || env.MA_MODEL || DEFAULT_ANTHROPIC_MODEL;
  const apiKey = options.apiKey || env.ANTHROPIC_API_KEY;
  if (!apiKey) throw new MissingApiKeyError();
  const recordTo = env.MA_RECORD?.trim();
  const record =
    options.record ??
    (recordTo === "1" ? DEFAULT_RECORD_DIR : recordTo && recordTo !== "0" ? recordTo : undefined);
  const client = new Anthropic({ apiKey, baseURL: options.baseURL, maxRetries: options.maxRetries ?? 2 });
  return {
    name: `anthropic:${model}`,
    async plan(request: PlanRequest): Promise<PlanResult> {
      const prompt = await loadPrompt("planner-system");
      const recorder = record
        ? new TranscriptRecorder(record, { model, prompt_version: prompt.version, request: request.request })
        : undefined;
      try {
        return await runAnthropicLoop(request, {
          client,
          model,
          maxRounds: options.maxRounds,
          prompt,
          recorder,
        });
      } catch (error) {
        throw withoutKey(error, apiKey);
      }
    },
  };
}

/** An error whose message cannot carry the key, whatever put it there. */
function withoutKey(error: unknown, apiKey: string): unknown {
  if (error instanceof Error && error.message.includes(apiKey)) {
    error.message = error.message.split(apiKey).join("***");
  }
  return error;
}
