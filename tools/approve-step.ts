import { z } from "zod";
import { defineTool, need } from "./tool.js";

/** A person's approval (or rollback confirmation), passed on by the assistant with the step's approval code. */
export const approveStepTool = defineTool({
  name: "approve_step",
  title: "Approve a step (the person's word)",
  description:
    "Records a person's approval of a risky step a run waits on, or their confirmation of a rollback " +
    "step it waits on. The proof is the step's approval code (16 hex digits), which the server shows to " +
    "the person only (in its log, and in `migration-architect status RUN`), never in a tool result: ask " +
    "the person for it; it cannot be guessed or worked out. An approval holds for the step's exact " +
    "content. Then call run_migration with the run_id to carry the run on.",
  input: z.strictObject({
    run_id: z.string().describe("The run that waits"),
    step_id: z.string().describe("The step the run waits on"),
    approval_code: z.string().max(100).describe("The step's approval code, as the person gave it to you"),
    approved_by: z.string().max(200).optional().describe("The person's name, as they gave it"),
  }),
  output: z.object({
    run_id: z.string(),
    step_id: z.string(),
    recorded: z.enum(["approval", "confirmation"]),
    next: z.string(),
  }),
  // Records the person's word; the step itself runs only when run_migration carries the run on.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  text: (out) => `${out.recorded} of ${out.step_id} recorded. ${out.next}`,
  async handler(input, services) {
    const runs = need(services.runs, "approve_step", "the run service");
    const client = services.call?.client ?? "the MCP client";
    const by = input.approved_by?.trim()
      ? `${input.approved_by.trim()} (via ${client}, with the approval code)`
      : `a person via ${client} (with the approval code)`;
    const done = await runs.approve(input.run_id, input.step_id, input.approval_code, by);
    return {
      run_id: input.run_id,
      step_id: done.step_id,
      recorded: done.kind,
      next: `call run_migration with run_id ${input.run_id} to carry the run on`,
    };
  },
});
