import type { Blueprint, StepRollback } from "../blueprint/schema.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { type DependencyGraph, reachable } from "../graph/dependency-graph.js";
import type { Schedule } from "../graph/schedule.js";
import { fail, ok, type Result } from "../result.js";

/** How one step is undone. */
export type RollbackOperation =
  | { kind: "action"; action: string; params: Record<string, unknown>; level: 0 | 1 }
  | { kind: "inverse"; of: string; params: Record<string, unknown>; level: 0 | 1 }
  | { kind: "manual"; instructions: string; level: 2 };

export interface RollbackPlanStep {
  step_id: string;
  phase_id: string;
  operation: RollbackOperation;
}

export type RollbackType = "cascading" | "point-in-time" | "selective";

/** Steps to undo, in the order to undo them: reverse of the order they ran in. */
export interface RollbackPlan {
  type: RollbackType;
  /** What the plan was asked for: a step id, a checkpoint id, or the selected step ids. */
  target: string;
  steps: RollbackPlanStep[];
}

/** What the plans are derived from: a validated blueprint's graph and schedule. */
export interface RollbackBasis {
  blueprint: Blueprint;
  dependencies: DependencyGraph;
  schedule: Schedule;
}

/** The operation a step's rollback declares (a validated blueprint has exactly one form). */
export function rollbackOperation(
  action: string,
  params: Record<string, unknown>,
  rollback: StepRollback | undefined,
) {
  if (!rollback) return undefined;
  if (rollback.manual !== undefined)
    return { kind: "manual", instructions: rollback.manual, level: 2 } as const;
  const level = rollback.level === 1 ? 1 : 0;
  if (rollback.action !== undefined) {
    return { kind: "action", action: rollback.action, params: rollback.params ?? {}, level } as const;
  }
  return { kind: "inverse", of: action, params, level } as const;
}

/** Cascading: the step and every step that depends on it, directly or not. */
export function cascadingRollback(basis: RollbackBasis, stepId: string): Result<RollbackPlan> {
  const ref = basis.dependencies.byId.get(stepId);
  if (!ref) return fail([unknownStep(stepId)]);
  return ok(plan(basis, "cascading", stepId, reachable(basis.dependencies, [ref.index], "successors", true)));
}

/** Point-in-time: every step of the phases that run after the checkpoint's phase. */
export function pointInTimeRollback(basis: RollbackBasis, checkpointId: string): Result<RollbackPlan> {
  const checkpoint = basis.blueprint.rollback_strategy?.checkpoints?.find((c) => c.id === checkpointId);
  const phaseIndex = basis.blueprint.phases.findIndex((p) => p.id === checkpoint?.after_phase);
  if (!checkpoint || phaseIndex === -1) {
    const known = basis.blueprint.rollback_strategy?.checkpoints?.map((c) => c.id) ?? [];
    return fail([
      diagnostic(
        "MA206",
        ["blueprint", "rollback_strategy", "checkpoints"],
        `no checkpoint '${checkpointId}'${known.length ? ` (checkpoints: ${known.join(", ")})` : " (the blueprint declares none)"}`,
      ),
    ]);
  }
  const phaseRank: number[] = [];
  basis.schedule.phases.forEach((p, rank) => {
    phaseRank[p.phaseIndex] = rank;
  });
  const after = phaseRank[phaseIndex] as number;
  const selected = basis.dependencies.steps
    .filter((ref) => (phaseRank[ref.phaseIndex] as number) > after)
    .map((ref) => ref.index);
  return ok(plan(basis, "point-in-time", checkpointId, new Set(selected)));
}

/**
 * Selective: only the named steps. Refused (MA205) when a step that stays depends on one that
 * would be undone, naming that step and the chain of dependencies.
 */
export function selectiveRollback(basis: RollbackBasis, stepIds: readonly string[]): Result<RollbackPlan> {
  const { dependencies } = basis;
  const missing = stepIds.filter((id) => !dependencies.byId.has(id));
  if (missing.length) return fail(missing.map(unknownStep));
  const chosen = new Set(stepIds.map((id) => (dependencies.byId.get(id) as { index: number }).index));
  // Only the direct dependents are named: each is a step that stays while a step it needs is undone
  // (the steps further down depend on those, and are fixed by the same change).
  const problems: Diagnostic[] = [];
  for (const removed of chosen) {
    for (const kept of dependencies.successors[removed] ?? []) {
      if (chosen.has(kept)) continue;
      const keptRef = dependencies.steps[kept];
      const removedId = dependencies.steps[removed]?.step.id;
      problems.push(
        diagnostic(
          "MA205",
          keptRef ? [...keptRef.path, "id"] : [],
          `cannot roll back only ${stepIds.join(", ")}: step '${keptRef?.step.id}' stays, and it depends on '${removedId}'`,
          `Add '${keptRef?.step.id}' to the selection, or roll back '${removedId}' with a cascading rollback.`,
        ),
      );
    }
  }
  if (problems.length) return fail(problems);
  return ok(plan(basis, "selective", stepIds.join(","), chosen));
}

function unknownStep(stepId: string): Diagnostic {
  return diagnostic("MA206", ["blueprint", "phases"], `no step has the id '${stepId}'`);
}

function plan(basis: RollbackBasis, type: RollbackType, target: string, selected: Set<number>): RollbackPlan {
  const { dependencies, schedule } = basis;
  const steps: RollbackPlanStep[] = [];
  // Walk the run order backwards: the last step to run is the first to undo.
  for (let r = schedule.runOrder.length - 1; r >= 0; r--) {
    const index = schedule.runOrder[r] as number;
    if (!selected.has(index)) continue;
    const ref = dependencies.steps[index];
    if (!ref) continue;
    const operation = rollbackOperation(ref.step.action, ref.step.params ?? {}, ref.step.rollback);
    if (operation) steps.push({ step_id: ref.step.id, phase_id: ref.phase.id, operation });
  }
  return { type, target, steps };
}
