import { randomBytes } from "node:crypto";
import { needsDecision } from "../adapters/needs-decision.js";
import { redactText } from "../adapters/redact.js";
import type { HealthCheckResult, Snapshot } from "../adapters/types.js";
import type { Blueprint } from "../core/blueprint/schema.js";
import { approvalHolds, contentHash, stepHash } from "../core/risk/approval.js";
import type { RunEvent, RunRecord, StepStateRecord } from "../store/types.js";
import { newApprovalKey } from "./approval-code.js";
import type { ExecutorDeps, RunOptions } from "./deps.js";
import { checksOf, runChecks } from "./health-checks.js";
import { runPhaseSteps } from "./phase-scheduler.js";
import { type RollbackEnd, type RollbackPlanRecord, type RollbackScope, rollBack } from "./rollback.js";
import { assertRunnable, RunRefused } from "./runnable.js";
import { closeSession, openSession, type RunSession, snapshotAll } from "./session.js";
import { awaitsDecision, mayHaveChanged, runStep } from "./steps.js";

/** Statuses in which a rollback is under way and `resume` continues it. */
const ROLLING_BACK = new Set(["rolling_back", "awaiting_confirmation", "paused_manual"]);

/**
 * Records a new run of a blueprint (stored under its content hash) with the approvals given up
 * front. Nothing runs yet: `executeRun` does.
 */
export async function createRun(
  deps: ExecutorDeps,
  blueprint: Blueprint,
  options: RunOptions = {},
): Promise<RunRecord> {
  assertRunnable(blueprint, deps.adapters);
  const hash = contentHash(blueprint);
  await deps.store.saveBlueprint({
    hash,
    blueprint_id: blueprint.id,
    name: blueprint.name,
    content: blueprint,
  });
  const now = deps.now?.() ?? new Date();
  const id = `run-${now.toISOString().slice(0, 19).replace(/[-:T]/g, "")}-${randomBytes(3).toString("hex")}`;
  const approvals = (options.approve ?? []).map((stepId) => {
    const step = blueprint.phases.flatMap((p) => p.steps).find((s) => s.id === stepId);
    if (!step) throw new Error(`--approve names no step of this blueprint: '${stepId}'`);
    return {
      run_id: id,
      step_id: stepId,
      step_hash: stepHash(step),
      approved_by: options.approvedBy ?? "unknown",
      approved_at: now.toISOString(),
    };
  });
  return deps.store.createRun(
    {
      id,
      blueprint_hash: hash,
      blueprint_id: blueprint.id,
      status: "pending",
      options: { concurrency: options.concurrency ?? null, approval_key: newApprovalKey() },
      holder: null,
    },
    approvals,
  );
}

/**
 * Drives a run from wherever it stands to a known state — completed, rolled back, or waiting for a
 * human — and returns the run as it then is. The same call starts a run and resumes one after a
 * crash: every decision is taken from the store.
 */
export async function executeRun(deps: ExecutorDeps, runId: string): Promise<RunRecord> {
  const run = await deps.store.getRun(runId);
  if (!run) throw new Error(`no run '${runId}' (migration-architect status lists the runs)`);
  if (run.status === "completed" || run.status === "failed") return run;
  const stored = await deps.store.getBlueprint(run.blueprint_hash);
  if (!stored) throw new Error(`run '${runId}' has lost its blueprint ${run.blueprint_hash}`);
  let session: RunSession;
  try {
    session = await openSession(deps, run, stored.content as Blueprint);
  } catch (error) {
    // Nothing was touched: the run keeps its status, and says why it could not go on.
    const reason = redactText((error as Error).message ?? String(error));
    await deps.store
      .transition(runId, {
        type: "run.refused",
        phase_id: null,
        step_id: null,
        check_id: null,
        data: { reason },
      })
      .then((event) => deps.observe?.(event))
      .catch(() => undefined);
    throw new RunRefused(
      `run ${runId} cannot go on: ${reason}. Nothing was touched; migration-architect resume ${runId} retries.`,
    );
  }
  try {
    await deps.store.setHolder(runId, deps.holder);
    const events = await deps.store.events(runId);
    if (ROLLING_BACK.has(run.status)) await continueRollback(session, events);
    else await forward(session, events);
  } finally {
    await deps.store.setHolder(runId, null).catch(() => undefined);
    await closeSession(session);
  }
  return (await deps.store.getRun(runId)) as RunRecord;
}

async function forward(session: RunSession, events: RunEvent[]): Promise<void> {
  const { deps, journal, analysis, run } = session;
  const store = deps.store;
  const checkpoints = new Map((await store.getCheckpoints(run.id)).map((c) => [c.checkpoint_id, c]));
  if (!checkpoints.has("source")) {
    const snapshot = await snapshotAll(session);
    await store.saveCheckpoint({ run_id: run.id, checkpoint_id: "source", phase_id: "", snapshot });
    checkpoints.set("source", {
      run_id: run.id,
      checkpoint_id: "source",
      phase_id: "",
      snapshot,
      created_at: "",
    });
  }
  await journal.status("running", { holder: deps.holder });

  const baselines = new Map<string, HealthCheckResult>();
  if (!events.some((e) => e.type === "pre_checks.passed")) {
    const pre = await runChecks(session, checksOf(session, "pre"), "pre");
    for (const r of pre.results) if (r.type === "performance") baselines.set(r.check_id, r);
    if (!pre.passed) {
      await journal.record(
        "run.aborted",
        {},
        { reason: "a pre-migration health check failed; nothing was changed" },
        { runStatus: "failed" },
      );
      return;
    }
    await journal.record("pre_checks.passed");
  }

  const states = new Map((await store.getStepStates(run.id)).map((s) => [s.step_id, s]));
  const completedPhases = new Set(events.filter((e) => e.type === "phase.completed").map((e) => e.phase_id));
  const approvals = await store.getApprovals(run.id);
  const concurrency =
    (run.options.concurrency as number | null) ?? analysis.blueprint.constraints?.max_parallelism ?? 4;

  for (const phasePlan of analysis.schedule?.phases ?? []) {
    const phase = analysis.blueprint.phases[phasePlan.phaseIndex];
    if (!phase || completedPhases.has(phase.id)) continue;
    const before = `before:${phase.id}`;
    if (!checkpoints.has(before)) {
      const snapshot = await snapshotAll(session);
      await store.saveCheckpoint({ run_id: run.id, checkpoint_id: before, phase_id: phase.id, snapshot });
      checkpoints.set(before, {
        run_id: run.id,
        checkpoint_id: before,
        phase_id: phase.id,
        snapshot,
        created_at: "",
      });
      await journal.record("checkpoint", { phase_id: phase.id }, { checkpoint: before });
    }
    await journal.record("phase.started", { phase_id: phase.id });

    const members = phasePlan.groups.flat().sort((a, b) => a - b);
    const done = new Set(
      members.filter((i) => states.get(analysis.steps[i]?.step.id ?? "")?.state === "succeeded"),
    );
    const result = await runPhaseSteps({
      members,
      predecessors: (i) => analysis.dependencies.predecessors[i] ?? [],
      done,
      concurrency,
      shouldStart: async (i) => {
        const ref = analysis.steps[i];
        if (!ref || !analysis.approvals[i]) return true;
        if (approvals.some((a) => approvalHolds(a, ref.step))) return true;
        await journal.record(
          "approval.required",
          { phase_id: phase.id, step_id: ref.step.id },
          {
            risk: analysis.risks[i]?.composite,
            threshold: analysis.approvalThreshold,
            step_hash: stepHash(ref.step),
            how: `migration-architect approve ${run.id} --step ${ref.step.id}, then migration-architect resume ${run.id}`,
          },
          { runStatus: "awaiting_approval" },
        );
        return false;
      },
      run: async (i) => {
        const ref = analysis.steps[i];
        if (!ref) return;
        const state = states.get(ref.step.id);
        const accepted = approvals.find((a) => approvalHolds(a, ref.step));
        if (awaitsDecision(state) && accepted) {
          // The person accepted the inconclusive result: the step counts as done.
          await journal.step(phase.id, ref.step.id, "succeeded", {
            accepted_by: accepted.approved_by,
            note: `an inconclusive result accepted by ${accepted.approved_by}: ${String(state?.detail.error ?? "")}`,
          });
          return;
        }
        await runStep(session, ref, {
          wasRunning: state?.state === "running",
          progress: state?.progress ?? undefined,
        });
      },
    });

    const undecided = result.failed.filter((f) => needsDecision(f.error));
    if (undecided.length && undecided.length === result.failed.length) {
      // Nothing failed for certain: the run waits for a person, as for an approval.
      for (const f of undecided) {
        const ref = analysis.steps[f.index];
        if (!ref) continue;
        await journal.record(
          "approval.required",
          { phase_id: phase.id, step_id: ref.step.id },
          {
            reason: (f.error as Error).message,
            decision: true,
            step_hash: stepHash(ref.step),
            how: `migration-architect approve ${run.id} --step ${ref.step.id} to accept the result and go on, then migration-architect resume ${run.id}; or migration-architect rollback ${run.id}`,
          },
          { runStatus: "awaiting_approval" },
        );
      }
      return;
    }
    if (result.failed.length) {
      const first = result.failed[0];
      const failedId = analysis.steps[first?.index ?? 0]?.step.id;
      await phaseRollback(
        session,
        phase.id,
        `step '${failedId}' failed: ${(first?.error as Error)?.message}`,
        checkpoints.get(before)?.snapshot,
      );
      return;
    }
    if (result.heldBack !== undefined) return; // awaiting approval: recorded by shouldStart

    const intra = await runChecks(session, checksOf(session, "intra", phase.id), "intra", baselines);
    if (!intra.passed) {
      const names = intra.results
        .filter((r) => r.status === "fail")
        .map((r) => `${r.check_id} (${r.message})`);
      await phaseRollback(
        session,
        phase.id,
        `intra health check failed after phase '${phase.id}': ${names.join("; ")}`,
        checkpoints.get(before)?.snapshot,
      );
      return;
    }
    // The phase's named checkpoints are taken before it is recorded completed, so that a crash
    // in between leaves the phase to finish on resume, checkpoints and all.
    for (const cp of analysis.blueprint.rollback_strategy?.checkpoints ?? []) {
      if (cp.after_phase !== phase.id || checkpoints.has(cp.id)) continue;
      const snapshot = await snapshotAll(session);
      await store.saveCheckpoint({ run_id: run.id, checkpoint_id: cp.id, phase_id: phase.id, snapshot });
      await journal.record("checkpoint", { phase_id: phase.id }, { checkpoint: cp.id });
    }
    await journal.record("phase.completed", { phase_id: phase.id });
  }

  const post = await runChecks(session, checksOf(session, "post"), "post", baselines);
  if (!post.passed) {
    const names = post.results.filter((r) => r.status === "fail").map((r) => `${r.check_id} (${r.message})`);
    await rollbackEverything(session, `post-migration health check failed: ${names.join("; ")}`);
    return;
  }
  await journal.status("completed");
}

/** Steps to undo: those of `stepIds` that may have changed something, last to run first. */
function undoOrder(
  session: RunSession,
  states: Map<string, StepStateRecord>,
  keep: (id: string) => boolean,
): string[] {
  const order = session.analysis.schedule?.runOrder ?? [];
  const out: string[] = [];
  for (let r = order.length - 1; r >= 0; r--) {
    const id = session.analysis.steps[order[r] as number]?.step.id;
    if (!id || !keep(id)) continue;
    if (mayHaveChanged(states.get(id))) out.push(id);
  }
  return out;
}

async function phaseRollback(
  session: RunSession,
  phaseId: string,
  reason: string,
  target: unknown,
): Promise<RollbackEnd> {
  const states = new Map((await session.deps.store.getStepStates(session.run.id)).map((s) => [s.step_id, s]));
  const inPhase = new Set(session.analysis.steps.filter((r) => r.phase.id === phaseId).map((r) => r.step.id));
  const scope: RollbackScope = { kind: "phase", phaseId, checkpoint: `before:${phaseId}` };
  const plan: RollbackPlanRecord = {
    scope,
    reason,
    steps: undoOrder(session, states, (id) => inPhase.has(id)),
  };
  return rollBack(session, plan, target as Record<string, Snapshot>, []);
}

/** Undoes every step that ran, back to the source state. */
export async function rollbackEverything(session: RunSession, reason: string): Promise<RollbackEnd> {
  const states = new Map((await session.deps.store.getStepStates(session.run.id)).map((s) => [s.step_id, s]));
  const source = (await session.deps.store.getCheckpoints(session.run.id)).find(
    (c) => c.checkpoint_id === "source",
  );
  const plan: RollbackPlanRecord = {
    scope: { kind: "all", checkpoint: "source" },
    reason,
    steps: undoOrder(session, states, () => true),
  };
  return rollBack(session, plan, (source?.snapshot ?? {}) as Record<string, Snapshot>, []);
}

/** Continues the rollback the last `rollback.started` event describes. */
async function continueRollback(session: RunSession, events: RunEvent[]): Promise<void> {
  let start = -1;
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i]?.type === "rollback.started") {
      start = i;
      break;
    }
  }
  if (start === -1) {
    // The process died between deciding to roll back and recording it: nothing was undone yet.
    await rollbackEverything(session, "resumed a rollback that had not started");
    return;
  }
  const plan = events[start]?.data as unknown as RollbackPlanRecord;
  const checkpoint = (await session.deps.store.getCheckpoints(session.run.id)).find(
    (c) => c.checkpoint_id === plan.scope.checkpoint,
  );
  await rollBack(
    session,
    plan,
    (checkpoint?.snapshot ?? {}) as Record<string, Snapshot>,
    events.slice(start),
  );
}
