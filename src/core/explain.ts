import type { RiskValues } from "./catalog/catalog.js";
import {
  cascadingRollback,
  pointInTimeRollback,
  type RollbackOperation,
  rollbackOperation,
} from "./rollback/plans.js";
import type { BlueprintAnalysis } from "./validate.js";

export interface ExplainedStep {
  id: string;
  name: string;
  phase: string;
  action: string;
  component: string;
  factors: RiskValues;
  risk: number;
  /** Whether the factors came from the action catalogue (otherwise the conservative default). */
  risk_from_catalog: boolean;
  needs_approval: boolean;
  rollback: RollbackOperation | null;
  /** 1-based parallel group inside its phase. */
  group: number;
  start_ms: number;
  estimated_duration: string | null;
  downtime: string | null;
  on_critical_path: boolean;
}

export interface ExplainedPhase {
  id: string;
  name: string;
  pattern: string | null;
  /** Step ids by parallel group. */
  groups: string[][];
  start_ms: number;
  length_ms: number;
}

/** A summary of one rollback plan: how many steps it undoes, and which. */
export interface RollbackSummary {
  target: string;
  steps: string[];
}

export interface Explanation {
  blueprint: { id: string; name: string; version: string };
  approval_threshold: number;
  rollback_strategy: string;
  /** Steps in the order they run: phase by phase, then topologically. */
  steps: ExplainedStep[];
  phases: ExplainedPhase[];
  critical_path: { steps: string[]; total_ms: number; downtime_ms: number };
  rollback_plans: {
    /** Cascading from the first step to run (undoes every step that depends on it) and from the riskiest step. */
    cascading: { first: RollbackSummary | null; riskiest: RollbackSummary | null };
    /** Point-in-time, to each checkpoint. */
    point_in_time: RollbackSummary[];
    /** Steps that nothing depends on: each can be rolled back alone. */
    selective_alone: string[];
  };
}

/**
 * Explains a sound blueprint (its analysis has a schedule): the risk table, the groups, the
 * critical path and the three rollback plans. Returns undefined when the graph is not sound.
 */
export function explainBlueprint(analysis: BlueprintAnalysis): Explanation | undefined {
  const { blueprint, schedule, dependencies, risks, approvals } = analysis;
  if (!schedule) return undefined;
  const onPath = new Set(schedule.criticalPath.steps);
  const steps: ExplainedStep[] = [];
  const phases: ExplainedPhase[] = [];
  for (const phasePlan of schedule.phases) {
    const phase = blueprint.phases[phasePlan.phaseIndex];
    if (!phase) continue;
    phases.push({
      id: phase.id,
      name: phase.name,
      pattern: phase.pattern ?? null,
      groups: phasePlan.groups.map((g) => g.map((i) => dependencies.steps[i]?.step.id ?? "")),
      start_ms: phasePlan.startMs,
      length_ms: phasePlan.lengthMs,
    });
    phasePlan.groups.forEach((group, level) => {
      for (const index of group) {
        const ref = dependencies.steps[index];
        const risk = risks[index];
        if (!ref || !risk) continue;
        const { step } = ref;
        steps.push({
          id: step.id,
          name: step.name,
          phase: phase.id,
          action: step.action,
          component: step.component,
          factors: risk.factors,
          risk: risk.composite,
          risk_from_catalog: risk.fromCatalog,
          needs_approval: approvals[index] ?? false,
          rollback: rollbackOperation(step.action, step.params ?? {}, step.rollback) ?? null,
          group: level + 1,
          start_ms: schedule.startMs[index] ?? 0,
          estimated_duration: step.estimated_duration ?? null,
          downtime: step.downtime ?? null,
          on_critical_path: onPath.has(index),
        });
      }
    });
  }

  const basis = { blueprint, dependencies, schedule };
  const summary = (r: ReturnType<typeof cascadingRollback>): RollbackSummary | null =>
    r.ok ? { target: r.value.target, steps: r.value.steps.map((s) => s.step_id) } : null;
  const riskiest = steps.reduce<ExplainedStep | undefined>(
    (best, s) => (!best || s.risk > best.risk ? s : best),
    undefined,
  );
  const first = steps[0];

  return {
    blueprint: { id: blueprint.id, name: blueprint.name, version: blueprint.version },
    approval_threshold: analysis.approvalThreshold,
    rollback_strategy: blueprint.rollback_strategy?.type ?? "cascading",
    steps,
    phases,
    critical_path: {
      steps: schedule.criticalPath.steps.map((i) => dependencies.steps[i]?.step.id ?? ""),
      total_ms: schedule.criticalPath.totalMs,
      downtime_ms: schedule.criticalPath.downtimeMs,
    },
    rollback_plans: {
      cascading: {
        first: first ? summary(cascadingRollback(basis, first.id)) : null,
        riskiest: riskiest ? summary(cascadingRollback(basis, riskiest.id)) : null,
      },
      point_in_time: (blueprint.rollback_strategy?.checkpoints ?? []).flatMap((cp) => {
        const s = summary(pointInTimeRollback(basis, cp.id));
        return s ? [s] : [];
      }),
      selective_alone: dependencies.steps
        .filter(
          (ref, i) =>
            dependencies.byId.get(ref.step.id) === ref && (dependencies.successors[i]?.length ?? 0) === 0,
        )
        .map((ref) => ref.step.id),
    },
  };
}
