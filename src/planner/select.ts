import { anthropicPlanner } from "./agent/anthropic-planner.js";
import { DEFAULT_RECORD_DIR } from "./agent/recording.js";
import { langchainPlanner, parseLangChainSpec } from "./langchain/langchain-planner.js";
import { offlinePlanner } from "./offline/offline-planner.js";
import { replayPlanner } from "./replay/replay-planner.js";
import type { Planner } from "./types.js";

/** What `--planner` accepts, for the help texts and the unknown-planner error. */
export const PLANNER_HELP = `offline (default: no network, no key), anthropic or anthropic:<model> (ANTHROPIC_API_KEY; model from --model, MA_MODEL, else claude-sonnet-4-6), langchain:<provider>:<model> (e.g. langchain:ollama:llama3.1; the provider's package must be installed), replay:<dir> (replays the anthropic planner's transcripts recorded with MA_RECORD=1, offline, no key; replay alone reads ${DEFAULT_RECORD_DIR})`;

/** A planner name that is not one of the above. */
export class UnknownPlannerError extends Error {
  constructor(name: string) {
    super(`unknown planner '${name}'; expected ${PLANNER_HELP}`);
    this.name = "UnknownPlannerError";
  }
}

/**
 * The planner a `--planner` name asks for. `model` (from `--model`) applies to anthropic;
 * `maxRounds`, to anthropic and replay.
 *
 * @example await selectPlanner("langchain:ollama:llama3.1", process.env)
 */
export async function selectPlanner(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
  options: { model?: string; maxRounds?: number } = {},
): Promise<Planner> {
  const spec = name.trim();
  if (spec === "offline") return offlinePlanner();
  if (spec === "anthropic" || spec.startsWith("anthropic:")) {
    const model = spec.startsWith("anthropic:") ? spec.slice("anthropic:".length) : options.model;
    return anthropicPlanner({ model, env, maxRounds: options.maxRounds });
  }
  if (spec === "replay" || spec.startsWith("replay:")) {
    const dir = spec.slice("replay:".length).trim() || DEFAULT_RECORD_DIR;
    return replayPlanner(dir, { maxRounds: options.maxRounds });
  }
  if (spec.startsWith("langchain:")) {
    const { provider, model } = parseLangChainSpec(spec.slice("langchain:".length));
    return langchainPlanner({ provider, model });
  }
  throw new UnknownPlannerError(spec);
}
