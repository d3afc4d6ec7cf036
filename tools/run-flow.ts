import { z } from "zod";
import { describeEvent } from "../src/render/run-event.js";
import type { RunService, RunView } from "../src/services/run-service.js";
import type { RunEvent } from "../src/store/types.js";
import type { ToolCall } from "./tool.js";

/** A step awaiting a person, as the model may see it: no approval code (that is the person's). */
const WaitingApprovalShape = z.object({
  step_id: z.string(),
  action: z.string(),
  component: z.string(),
  risk: z.number().nullable(),
  threshold: z.number().nullable(),
  reason: z
    .string()
    .nullable()
    .describe("Why a person must decide, when it is not risk (an inconclusive canary analysis)"),
});

/** How a run stands, as the run tools return it. */
export const RunOutcome = z.object({
  run_id: z.string(),
  status: z
    .string()
    .describe(
      "completed, rolled_back, failed, awaiting_approval, awaiting_confirmation, paused_manual, running, …",
    ),
  blueprint_id: z.string(),
  blueprint_hash: z.string(),
  executing: z.boolean().describe("True while the server is still executing it"),
  steps: z.array(z.object({ id: z.string(), state: z.string(), attempts: z.number() })),
  waiting: z.object({
    approvals: z.array(WaitingApprovalShape).describe("Risky steps waiting for a person's approval"),
    confirmation: z
      .object({ step_id: z.string(), level: z.number(), instructions: z.string() })
      .nullable()
      .describe("A rollback step waiting for a person: level 1 to confirm, level 2 to do by hand"),
  }),
  asked: z
    .array(
      z.object({
        step_id: z.string(),
        kind: z.enum(["approval", "confirmation"]),
        answer: z.enum(["accept", "decline", "cancel"]),
      }),
    )
    .describe("What the person was asked through the client during this call, and what they answered"),
  next: z.string().describe("What happens next, and who must act"),
});
export type RunOutcome = z.infer<typeof RunOutcome>;

/** The run as the tools show it, with what to do next. */
export function outcomeOf(view: RunView, asked: RunOutcome["asked"] = []): RunOutcome {
  const { run, waiting } = view;
  return {
    run_id: run.id,
    status: run.status,
    blueprint_id: run.blueprint_id,
    blueprint_hash: run.blueprint_hash,
    executing: view.executing,
    steps: view.steps.map((s) => ({ id: s.step_id, state: s.state, attempts: s.attempts })),
    waiting: {
      approvals: waiting.approvals.map(({ step_id, action, component, risk, threshold, reason }) => ({
        step_id,
        action,
        component,
        risk,
        threshold,
        reason,
      })),
      confirmation: waiting.confirmation
        ? {
            step_id: waiting.confirmation.step_id,
            level: waiting.confirmation.level,
            instructions: waiting.confirmation.instructions,
          }
        : null,
    },
    asked,
    next: nextOf(view, asked),
  };
}

function nextOf(view: RunView, asked: RunOutcome["asked"]): string {
  const { run, waiting } = view;
  const id = run.id;
  const refused = asked.find((a) => a.answer !== "accept");
  const said = refused
    ? `The person ${refused.answer === "decline" ? "declined" : "did not answer"} when asked about ${refused.step_id}. `
    : "";
  if (view.executing)
    return `The server is still executing run ${id}; call get_run_status with run_id ${id} to follow it.`;
  switch (run.status) {
    case "completed":
      return `Run ${id} completed. get_report with run_id ${id} has the timeline and the health-check figures.`;
    case "rolled_back":
      return `Run ${id} was rolled back. get_report with run_id ${id} says why and whether the state was restored.`;
    case "failed":
      return `Run ${id} failed and could not be fully rolled back: a person must look at it. get_report with run_id ${id} has the incident.`;
    case "awaiting_approval": {
      const steps = waiting.approvals.map((a) => a.step_id).join(", ");
      return (
        `${said}Run ${id} waits for a person to approve ${steps || "a risky step"}. Only the person can approve: ` +
        "ask them for the step's approval code, which they see in the server's log and in " +
        `\`migration-architect status ${id}\` (never make one up), then call approve_step with it and ` +
        `run_migration with run_id ${id} to go on. Or roll it back with rollback_run.`
      );
    }
    case "awaiting_confirmation":
    case "paused_manual": {
      const c = waiting.confirmation;
      const what =
        run.status === "paused_manual"
          ? `the manual rollback of ${c?.step_id ?? "a step"} (${c?.instructions ?? ""}) to be done by hand and confirmed`
          : `a person to confirm the rollback of ${c?.step_id ?? "a step"}`;
      return (
        `${said}Run ${id} waits for ${what}. Ask the person for the step's approval code (server log, or ` +
        `\`migration-architect status ${id}\`), call approve_step with it, then run_migration with run_id ${id}.`
      );
    }
    default:
      return `Run ${id} is ${run.status}; run_migration with run_id ${id} carries it on.`;
  }
}

/** Progress notifications from a run's events: the event's sequence number, and a line about it. */
export function progressOf(call: ToolCall | undefined): ((event: RunEvent) => void) | undefined {
  const progress = call?.progress;
  if (!progress) return undefined;
  return (event) => {
    const line = describeEvent(event);
    if (line) progress(event.seq, line.trim());
  };
}

/**
 * Carries a run on until it rests; when it rests waiting for a person and the client can ask them
 * (elicitation), asks, records their yes, and carries on. A no, or no answer,
 * leaves the run waiting: the person can still approve later, or roll it back.
 */
export async function carryOn(
  runs: RunService,
  runId: string,
  call: ToolCall | undefined,
): Promise<RunOutcome> {
  const asked: RunOutcome["asked"] = [];
  const observe = progressOf(call);
  let view = await runs.view(runId);
  // Each approval or confirmation moves the run on by a step: bounded by the steps there are.
  const bound = 2 * view.blueprint.phases.reduce((n, p) => n + p.steps.length, 0) + 2;
  for (let round = 0; round < bound; round++) {
    if (
      view.run.status !== "completed" &&
      view.run.status !== "failed" &&
      view.run.status !== "rolled_back"
    ) {
      await runs.drive(runId, observe);
      view = await runs.view(runId);
    }
    const ask = call?.askPerson;
    const questions = [
      ...view.waiting.approvals.map((a) => ({
        kind: "approval" as const,
        step_id: a.step_id,
        code: a.code,
        message:
          `Run ${runId} (${view.run.blueprint_id}) is about to run step '${a.step_id}': ${a.name} — ` +
          `${a.action} on ${a.component}. Its risk is ${a.risk ?? "?"}, above the approval threshold ` +
          `${a.threshold ?? "?"}. Approve this step?`,
      })),
      ...(view.waiting.confirmation && view.run.status === "awaiting_confirmation"
        ? [
            {
              kind: "confirmation" as const,
              step_id: view.waiting.confirmation.step_id,
              code: view.waiting.confirmation.code,
              message:
                `Run ${runId} is rolling back and waits for you before undoing step ` +
                `'${view.waiting.confirmation.step_id}': ${view.waiting.confirmation.instructions}. Go ahead?`,
            },
          ]
        : []),
    ];
    if (!ask || questions.length === 0) break;
    let allYes = true;
    for (const q of questions) {
      const answer = await ask({ kind: q.kind, run_id: runId, step_id: q.step_id, message: q.message });
      asked.push({ step_id: q.step_id, kind: q.kind, answer: answer.action });
      if (answer.action !== "accept") {
        allYes = false;
        break;
      }
      const by =
        answer.by?.trim() || `a person via ${call?.client ?? "the MCP client"} (asked by the server)`;
      await runs.approve(runId, q.step_id, q.code, by);
    }
    if (!allYes) break;
    view = await runs.view(runId);
  }
  return outcomeOf(view, asked);
}

/** A run outcome as readable text. */
export function outcomeText(out: RunOutcome): string {
  const steps = out.steps.map((s) => `${s.id}: ${s.state}`).join(", ");
  return [`run ${out.run_id}: ${out.status}`, steps ? `steps: ${steps}` : "", out.next]
    .filter(Boolean)
    .join("\n");
}
