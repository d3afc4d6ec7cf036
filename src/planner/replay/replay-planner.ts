import { statSync } from "node:fs";
import { resolve } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { runAnthropicLoop } from "../agent/loop.js";
import { loadPrompt } from "../agent/prompts.js";
import type { Planner, PlanRequest, PlanResult } from "../types.js";
import { type Substitutions, turnDivergences, volatileValues } from "./divergence.js";
import { type FoundRecording, findRecording, howToRecord } from "./recordings.js";

export interface ReplayPlannerOptions {
  /** Model calls allowed per plan, as for the anthropic planner (default 8). */
  maxRounds?: number;
}

/** The replay directory is not there. */
export class ReplayDirectoryError extends Error {
  constructor(dir: string) {
    super(
      `--planner replay:${dir}: ${dir} is not a directory; name the directory that holds the recorded transcripts (MA_RECORD=1 with --planner anthropic writes them)`,
    );
    this.name = "ReplayDirectoryError";
  }
}

/** The agent asked for more model calls than the recording holds: why, and what to do. */
export class ReplayExhaustedError extends Error {
  constructor(found: FoundRecording, call: number, divergences: readonly string[]) {
    const why = divergences.length
      ? `the agent's conversation left the recording: ${divergences.join("; ")}`
      : "the agent's conversation matched the recording up to there (was it recorded with a smaller round budget, or cut short?)";
    super(
      `the recording ${found.shown} holds ${found.recording.turns.length} model call(s) and the agent asked for call ${call}, which it cannot answer: ${why}. If the system, the prompt or the tools changed on purpose, ${howToRecord(found.recording.request)}`,
    );
    this.name = "ReplayExhaustedError";
  }
}

/**
 * The `replay:<dir>` planner: the anthropic planner's own agent loop, with the Messages API's
 * answers read from a transcript recorded with `MA_RECORD=1` instead of the network, so that a
 * model planner's results (blueprint, notes, tokens and cost) are reproducible offline and in CI.
 * No API key is needed. The recording is the newest one in `dir` of the same request.
 *
 * Each request the agent sends is compared with the recorded one (the time and the components'
 * connections, which change from run to run, aside). A divergence does not stop the replay: the
 * recorded answer is given, and the plan's notes (a refusal's transcript) say which turn
 * differed, where and how; the core still validates the replayed blueprint against the system
 * as it is. If the divergence makes the agent ask for a call the recording does not hold, the
 * plan fails with `ReplayExhaustedError`, which names the divergences.
 *
 * @example
 * const planner = replayPlanner("test/fixtures/anthropic/recorded");
 * const result = await planner.plan({ request, system, catalog: defaultCatalog() });
 */
export function replayPlanner(dir: string, options: ReplayPlannerOptions = {}): Planner {
  const root = resolve(dir);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new ReplayDirectoryError(dir);
  return {
    name: `replay:${dir}`,
    async plan(request: PlanRequest): Promise<PlanResult> {
      const found = await findRecording(root, request.request, dir);
      const replay = new Replay(found);
      const client = new Anthropic({
        // The SDK wants a key; nothing leaves the process, so any will do.
        apiKey: "replay-needs-no-key",
        baseURL: "http://replay.invalid",
        maxRetries: 0,
        fetch: (url, init) => replay.answer(url, init),
      });
      const prompt = await loadPrompt("planner-system");
      let result: PlanResult;
      try {
        result = await runAnthropicLoop(request, {
          client,
          model: found.recording.model,
          maxRounds: options.maxRounds,
          prompt,
        });
      } catch (error) {
        throw replay.failure ?? error;
      }
      return withReplayNotes(result, replay, prompt.version);
    },
  };
}

/** One plan's replay: the next recorded turn to answer with, and the divergences seen so far. */
class Replay {
  /** Turns answered. */
  served = 0;
  readonly divergences: string[] = [];
  /** Why the replay could not answer; the SDK's wrapping of it is dropped. */
  failure: Error | undefined;
  private substitutions: Substitutions = [];
  private compared = 0;

  constructor(readonly found: FoundRecording) {}

  /** The SDK's `fetch`: the recorded response to the next call. */
  async answer(url: unknown, init: RequestInit | undefined): Promise<Response> {
    try {
      const path = new URL(String(url)).pathname;
      if ((init?.method ?? "GET") !== "POST" || path !== "/v1/messages") {
        throw new Error(`the replay serves POST /v1/messages; the SDK asked for ${init?.method} ${path}`);
      }
      const sent = JSON.parse(String(init?.body)) as { messages?: unknown[] };
      const turn = this.found.recording.turns[this.served];
      if (!turn) throw new ReplayExhaustedError(this.found, this.served + 1, this.divergences);
      this.served += 1;
      this.compare(turn.request, sent);
      return new Response(JSON.stringify(turn.response), {
        status: 200,
        headers: { "content-type": "application/json", "request-id": `req_replay_${this.served}` },
      });
    } catch (error) {
      this.failure = error as Error;
      throw error;
    }
  }

  private compare(recorded: unknown, sent: { messages?: unknown[] }): void {
    const messages = sent.messages ?? [];
    if (this.served === 1) {
      const recordedMessages = (recorded as { messages?: unknown[] } | null)?.messages;
      this.substitutions = volatileValues(recordedMessages?.[0], messages[0]);
    }
    this.divergences.push(...turnDivergences(this.served, recorded, sent, this.compared, this.substitutions));
    this.compared = messages.length;
  }
}

/** The agent's result, with what the replay has to say: the recording, and any divergence. */
function withReplayNotes(result: PlanResult, replay: Replay, promptVersion: string): PlanResult {
  const { recording, shown } = replay.found;
  const notes = [...replay.divergences];
  if (replay.served < recording.turns.length) {
    notes.push(
      `the agent finished after ${replay.served} of the ${recording.turns.length} recorded model call(s)`,
    );
  }
  if (recording.prompt_version && recording.prompt_version !== promptVersion) {
    notes.push(`recorded with the prompt ${recording.prompt_version}; this build's is ${promptVersion}`);
  }
  const said = notes.map((note) => `replay of ${shown}: ${note}`);
  const transcript = [
    ...result.transcript,
    {
      role: "planner" as const,
      text: `replayed ${shown}: ${replay.served} of its ${recording.turns.length} model call(s)`,
    },
    ...said.map((text) => ({ role: "planner" as const, text })),
  ];
  if (result.kind === "refusal") return { ...result, transcript };
  return { ...result, notes: [...result.notes, ...said], transcript };
}
