import type { Blueprint } from "../../core/blueprint/schema.js";
import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import type { PlanRequest, PlanResult, TranscriptEntry } from "../types.js";
import type { UsageMeter } from "./pricing.js";
import { checkSubmission, SUBMIT_TOOL_NAME, type SubmissionContext } from "./submit-tool.js";
import { answerToolCall, type ToolAnswer, type ToolCall } from "./tool-dispatch.js";

/** The model's reply of one round: its text, and the tools it called, in order. */
export interface ModelReply {
  text: string;
  calls: ToolCall[];
}

/**
 * One provider's side of the loop (the Anthropic SDK, a LangChain chat model): it keeps the
 * conversation in its own message format. The loop itself — dispatch, submission checks, budget,
 * refusals — is written once, here.
 */
export interface ModelConversation {
  /** Calls the model on the conversation so far and appends its reply. One call is one round. */
  send(): Promise<ModelReply>;
  /** Appends the answers to the last reply's tool calls: one message, in the calls' order. */
  answer(answers: readonly ToolAnswer[]): void;
  /** Appends a user message. */
  say(text: string): void;
}

export interface RoundsOptions {
  plan: PlanRequest;
  /** Model calls allowed, nudges and repairs included. */
  maxRounds: number;
  metadata: SubmissionContext["metadata"];
  meter: UsageMeter;
  transcript: TranscriptEntry[];
  started: number;
}

/** Replies that start with this are refusals: the reason follows. */
export const REFUSAL_PREFIX = "REFUSE:";

const NUDGE = `Call ${SUBMIT_TOOL_NAME} with the blueprint document to finish, or reply with ${REFUSAL_PREFIX} and the reason if the request cannot be planned safely.`;

/** What the transcript keeps of a long text (a tool result can be a whole schema). */
const TRANSCRIPT_TEXT_LIMIT = 4000;

/**
 * Runs the planning loop over a conversation whose first user message is already in place: each
 * round calls the model once; every tool call of a reply is answered (errors as `is_error`
 * results the model can act on); a submission the core accepts ends the loop. A text reply
 * starting with `REFUSE:` is a refusal; any other text reply gets one nudge. When the budget is
 * spent, the last draft comes back with its diagnostics, or a refusal saying so.
 */
export async function runRounds(
  conversation: ModelConversation,
  options: RoundsOptions,
): Promise<PlanResult> {
  const { plan, transcript, meter } = options;
  const services = { system: plan.system, catalog: plan.catalog };
  const common = () => ({ transcript, usage: meter.report(), elapsed_ms: Date.now() - options.started });
  let lastDraft: { blueprint: Blueprint; diagnostics: Diagnostic[] } | undefined;
  let nudged = false;

  for (let round = 1; round <= options.maxRounds; round++) {
    const reply = await conversation.send();
    if (reply.text.trim()) transcript.push({ role: "model", text: clip(reply.text) });
    for (const call of reply.calls)
      transcript.push({ role: "model", name: call.name, text: clip(JSON.stringify(call.input)) });

    if (reply.calls.length === 0) {
      const text = reply.text.trim();
      if (text.startsWith(REFUSAL_PREFIX)) {
        return { kind: "refusal", reason: text.slice(REFUSAL_PREFIX.length).trim(), ...common() };
      }
      if (nudged) {
        return {
          kind: "refusal",
          reason: `the model answered without submitting a blueprint: ${text || "(no text)"}`,
          ...common(),
        };
      }
      nudged = true;
      conversation.say(NUDGE);
      transcript.push({ role: "planner", text: NUDGE });
      continue;
    }

    const answers: ToolAnswer[] = [];
    const answered = (answer: ToolAnswer) => {
      answers.push(answer);
      transcript.push({ role: "tool", name: answer.name, text: clip(answer.content) });
    };
    for (const call of reply.calls) {
      if (call.name !== SUBMIT_TOOL_NAME) {
        answered(await answerToolCall(call, services));
        continue;
      }
      const submission = checkSubmission(call.input, await submissionContext(plan, options.metadata));
      if (submission.accepted) {
        transcript.push({
          role: "tool",
          name: call.name,
          text: "accepted: the core validated the blueprint",
        });
        return {
          kind: "blueprint",
          blueprint: submission.blueprint,
          diagnostics: submission.diagnostics,
          valid: true,
          notes: submission.notes,
          ...common(),
        };
      }
      if (submission.blueprint)
        lastDraft = { blueprint: submission.blueprint, diagnostics: submission.diagnostics };
      answered({ id: call.id, name: call.name, content: submission.content, isError: true });
    }
    conversation.answer(answers);
  }

  const spent = `the round budget of ${options.maxRounds} model call(s) ran out before the core accepted a blueprint`;
  transcript.push({ role: "planner", text: spent });
  if (lastDraft) {
    return {
      kind: "blueprint",
      ...lastDraft,
      valid: false,
      notes: [`${spent}: this is the last draft`],
      ...common(),
    };
  }
  return { kind: "refusal", reason: spent, ...common() };
}

/** What a submission is checked against: the session's discovery (cached) and the request's fields. */
export async function submissionContext(
  plan: PlanRequest,
  metadata: SubmissionContext["metadata"],
): Promise<SubmissionContext> {
  const { discovery } = await plan.system.discoverAll();
  return {
    request: plan.request,
    constraints: plan.constraints,
    catalog: plan.catalog,
    discovery,
    components: plan.system.components,
    now: plan.now ?? new Date(),
    metadata,
  };
}

/**
 * The first user message: the request, the components to plan for (ids and connection
 * references, never secrets), the constraints to carry and the time. Only the person's request
 * is instruction; everything the tools return later is data.
 */
export function requestMessage(plan: PlanRequest): string {
  const components = plan.system.components
    .map((c) => `- ${c.id} (kind ${c.kind}${c.connection ? `, connection ${c.connection}` : ""})`)
    .join("\n");
  const lines = [
    `Plan this migration: ${plan.request}`,
    "",
    "Components (use these ids, kinds and connection references unchanged in source_state and target_state):",
    components || "- (none)",
  ];
  if (plan.constraints && Object.keys(plan.constraints).length > 0) {
    lines.push("", `Constraints the blueprint must carry: ${JSON.stringify(plan.constraints)}`);
  }
  lines.push(
    "",
    `Now: ${(plan.now ?? new Date()).toISOString()}`,
    "",
    `Discover the system with the tools first, then call ${SUBMIT_TOOL_NAME}.`,
  );
  return lines.join("\n");
}

function clip(text: string): string {
  if (text.length <= TRANSCRIPT_TEXT_LIMIT) return text;
  return `${text.slice(0, TRANSCRIPT_TEXT_LIMIT)}… (${text.length - TRANSCRIPT_TEXT_LIMIT} more characters)`;
}
