import { z } from "zod";
import type { RollbackRequest } from "../src/executor/request-rollback.js";
import { carryOn, outcomeText, progressOf, RunOutcome } from "./run-flow.js";
import { defineTool, need } from "./tool.js";

/** Rolls a run back: everything, to a checkpoint, or chosen steps; through the executor's protocol. */
export const rollbackRun = defineTool({
  name: "rollback_run",
  title: "Roll a run back",
  description:
    "Rolls a run back through the same protocol as an automatic rollback: everything it did (default), " +
    "everything after a checkpoint (to_checkpoint), or chosen steps (steps; refused when a step that " +
    "stays depends on one). The state is then compared with the checkpoint's snapshot. A rollback step " +
    "that needs a person (level 1 or 2) is asked through the client where it can; otherwise the run " +
    "waits, as run_migration's result says. This changes the system.",
  input: z
    .strictObject({
      run_id: z.string().describe("The run to roll back"),
      to_checkpoint: z.string().optional().describe("Undo everything after this checkpoint"),
      steps: z.array(z.string()).min(1).optional().describe("Undo only these steps"),
    })
    .refine((v) => !(v.to_checkpoint && v.steps), { message: "give to_checkpoint or steps, not both" }),
  output: RunOutcome,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  text: outcomeText,
  async handler(input, services) {
    const runs = need(services.runs, "rollback_run", "the run service");
    const request: RollbackRequest = input.to_checkpoint
      ? { kind: "checkpoint", checkpoint: input.to_checkpoint }
      : input.steps
        ? { kind: "steps", steps: input.steps }
        : { kind: "all" };
    await runs.rollback(input.run_id, request, progressOf(services.call));
    return carryOn(runs, input.run_id, services.call);
  },
});
