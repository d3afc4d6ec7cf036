import type { Snapshot } from "../adapters/types.js";
import type { StepRef } from "../core/blueprint/step-index.js";
import { rollbackOperation } from "../core/rollback/plans.js";
import type { RunEvent } from "../store/types.js";
import { checksOf, runChecks } from "./health-checks.js";
import { compareSnapshots, type RunSession, snapshotAll } from "./session.js";
import { actionFor } from "./steps.js";

/** What a rollback covers: the current phase back to its checkpoint, or everything. */
export type RollbackScope =
  | { kind: "phase"; phaseId: string; checkpoint: string }
  | { kind: "all"; checkpoint: "source" }
  | { kind: "checkpoint"; checkpoint: string }
  | { kind: "steps"; stepIds: string[]; checkpoint: string };

export type RollbackEnd = "rolled_back" | "awaiting_confirmation" | "paused_manual" | "failed";

/** The rollback in progress, as recorded by its `rollback.started` event (so resume can continue it). */
export interface RollbackPlanRecord {
  scope: RollbackScope;
  reason: string;
  /** Step ids to undo, in order. */
  steps: string[];
}

/**
 * The seed's rollback protocol: 1 pause in-flight operations; 2 snapshot the current state; 3 run
 * the rollback steps in reverse dependency order; 4 run post-rollback health checks; 5 verify the
 * system matches the state it is rolling back to (schema fingerprint and data checksums); 6 write
 * the incident. Level 1 steps wait for a human's confirmation (`approve RUN`), level 2 steps stop
 * with their instructions; `resume` continues from there.
 */
export async function rollBack(
  session: RunSession,
  plan: RollbackPlanRecord,
  targets: Record<string, Snapshot>,
  events: RunEvent[],
): Promise<RollbackEnd> {
  const { journal } = session;
  const started = events.some((e) => e.type === "rollback.started");
  if (!started) {
    session.abort.abort(); // 1: in-flight steps see the signal; the scheduler has let them finish
    const current = await snapshotAll(session); // 2
    await journal.record(
      "rollback.started",
      {},
      { ...plan, snapshot: summarize(current) },
      { runStatus: "rolling_back" },
    );
  } else {
    await journal.status("rolling_back", { resumed: true });
  }

  const done = new Set(events.filter((e) => e.type === "step.rolled_back").map((e) => e.step_id));
  const confirmed = new Set(events.filter((e) => e.type === "rollback.confirmed").map((e) => e.step_id));
  for (const stepId of plan.steps) {
    if (done.has(stepId)) continue;
    const ref = session.analysis.dependencies.byId.get(stepId) as StepRef;
    const op = rollbackOperation(ref.step.action, ref.step.params ?? {}, ref.step.rollback);
    if (!op) continue;
    try {
      let action: { name: string; params: Record<string, unknown> } | { manual: string };
      if (op.kind === "manual") action = { manual: op.instructions };
      else if (op.kind === "action") action = { name: op.action, params: op.params };
      else {
        const { def } = actionFor(session, ref.step.action, ref.step.component);
        const inverse = def.inverse(def.params.parse(op.params));
        if ("nothing" in inverse) {
          await journal.step(ref.phase.id, stepId, "rolled_back", {
            by: `nothing to undo: ${inverse.nothing}`,
          });
          continue;
        }
        action = "manual" in inverse ? inverse : { name: inverse.action, params: inverse.params };
      }
      const level = "manual" in action ? 2 : op.level;
      if (level > 0 && !confirmed.has(stepId)) {
        const status = level === 2 ? "paused_manual" : "awaiting_confirmation";
        await journal.record(
          "rollback.waiting",
          { phase_id: ref.phase.id, step_id: stepId },
          {
            level,
            instructions:
              "manual" in action
                ? action.manual
                : `once confirmed, the run itself undoes '${stepId}' with ${action.name}`,
            how: `migration-architect approve ${session.run.id} --confirm ${stepId}, then migration-architect resume ${session.run.id}`,
          },
          { runStatus: status },
        );
        return status;
      }
      if (!("manual" in action)) {
        const { def, live } = actionFor(session, action.name, ref.step.component);
        const params = def.params.parse(action.params);
        await def.apply(live.connected.connection, params, {
          runId: session.run.id,
          stepId,
          signal: new AbortController().signal,
          log: (message) => void journal.record("step.log", { step_id: stepId }, { message }),
          progress: { get: () => undefined, set: async () => undefined },
        });
      }
      await journal.step(ref.phase.id, stepId, "rolled_back", {
        by: "manual" in action ? "a human" : action.name,
      });
    } catch (error) {
      await journal.record(
        "incident",
        { phase_id: ref.phase.id, step_id: stepId },
        { what: `the rollback of '${stepId}' failed: ${(error as Error).message}`, scope: plan.scope },
        { runStatus: "failed" },
      );
      return "failed";
    }
  }

  const checks = await runChecks(session, checksOf(session, "pre"), "post-rollback"); // 4
  const after = await snapshotAll(session);
  const differences = compareSnapshots(targets, after); // 5
  await journal.record(
    "rollback.verified",
    {},
    {
      checkpoint: plan.scope.checkpoint,
      equal: differences.length === 0,
      differences,
      snapshot: summarize(after),
    },
  );
  // A check that already failed before the run (its pre stage) says nothing of the rollback: a
  // run stopped by a failing pre-check and then rolled back would otherwise end "failed" although
  // nothing was touched. Such a check is reported, not held against the rollback.
  const failedBefore = new Set(
    (await session.deps.store.getHealthChecks(session.run.id))
      .filter((r) => r.stage === "pre" && r.status === "fail")
      .map((r) => r.check_id),
  );
  const failing = checks.results.filter((r) => r.status === "fail").map((r) => r.check_id);
  const newlyFailing = failing.filter((id) => !failedBefore.has(id));
  const healthy = newlyFailing.length === 0 && differences.length === 0;
  await journal.record(
    "incident",
    {},
    {
      what: plan.reason,
      scope: plan.scope,
      undone: plan.steps,
      restored: differences.length === 0,
      differences,
      post_rollback_checks: checks.passed
        ? "passed"
        : newlyFailing.length
          ? "failed"
          : `failing as before the run: ${failing.join(", ")}`,
    },
    { runStatus: healthy ? "rolled_back" : "failed" },
  ); // 6
  return healthy ? "rolled_back" : "failed";
}

function summarize(snapshots: Record<string, Snapshot>) {
  return Object.fromEntries(
    Object.entries(snapshots).map(([id, s]) => [id, { fingerprint: s.fingerprint, checksums: s.checksums }]),
  );
}
