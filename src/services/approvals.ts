import type { Step } from "../core/blueprint/schema.js";
import { stepHash } from "../core/risk/approval.js";
import type { Store } from "../store/types.js";

/**
 * A person's approval of a risky step, bound to a hash of the step's content (editing the step
 * voids it), recorded with who and when. The CLI's `approve --step`, the MCP `approve_step` tool
 * and the eval runner all record approvals here.
 */
export async function approveStep(store: Store, runId: string, step: Step, by: string): Promise<string> {
  const hash = stepHash(step);
  await store.saveApproval({
    run_id: runId,
    step_id: step.id,
    step_hash: hash,
    approved_by: by,
    approved_at: new Date().toISOString(),
  });
  await store.transition(runId, {
    type: "approval.given",
    phase_id: null,
    step_id: step.id,
    check_id: null,
    data: { by, step_hash: hash },
  });
  return hash;
}

/** A person's confirmation of the rollback step a run waits on (level 1), or of a manual one (level 2). */
export async function confirmRollback(
  store: Store,
  runId: string,
  stepId: string,
  by: string,
): Promise<void> {
  await store.transition(runId, {
    type: "rollback.confirmed",
    phase_id: null,
    step_id: stepId,
    check_id: null,
    data: { by },
  });
}

/** The step a rollback waits on (its last `rollback.waiting` event), if it waits. */
export async function waitingRollbackStep(store: Store, runId: string): Promise<string | undefined> {
  const events = await store.events(runId);
  const waiting = events.filter((e) => e.type === "rollback.waiting").at(-1);
  return waiting?.step_id ?? undefined;
}
