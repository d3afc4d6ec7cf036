import type { ExecutorDeps } from "../executor/deps.js";
import { executeRun } from "../executor/executor.js";
import { requestRollback } from "../executor/request-rollback.js";
import type { RunRecord } from "../store/types.js";
import { confirmRollback, waitingRollbackStep } from "./approvals.js";

/**
 * Rolls a whole run back on behalf of someone who has already said yes to every rollback step:
 * each level-1 step the rollback waits on is confirmed by `by` and the run resumed, until it
 * ends. A level-2 (manual) step still stops it (`paused_manual`): nobody can confirm for a human
 * what a human must do. The eval runner and the tests use it; the CLI asks the person instead.
 */
export async function rollBackConfirmed(
  deps: ExecutorDeps,
  runId: string,
  by: string,
): Promise<{ run: RunRecord; confirmed: string[] }> {
  let run = await requestRollback(deps, runId, { kind: "all" });
  const confirmed: string[] = [];
  while (run.status === "awaiting_confirmation") {
    const step = await waitingRollbackStep(deps.store, runId);
    // A step confirmed once and waited on again would loop forever: stop and report the status.
    if (!step || confirmed.includes(step)) break;
    await confirmRollback(deps.store, runId, step, by);
    confirmed.push(step);
    run = await executeRun(deps, runId);
  }
  return { run, confirmed };
}
