import { stepDowntimeMs, stepDurationMs } from "../blueprint/effective.js";
import type { DependencyGraph } from "./dependency-graph.js";

/** One phase's plan: its parallel groups (topological levels of its own steps) and timing. */
export interface PhaseSchedule {
  phaseIndex: number;
  /** Step indexes by level; each group in list order. */
  groups: number[][];
  /** Offset of the phase's start from the run's start, in ms. */
  startMs: number;
  /** The phase's own critical path length, in ms. */
  lengthMs: number;
}

export interface CriticalPath {
  /** Step indexes, phase by phase: the chain that bounds the run's duration. */
  steps: number[];
  totalMs: number;
  /** Declared downtime summed along the path. */
  downtimeMs: number;
}

/** When each step runs, relative to the run's start, and the critical path. */
export interface Schedule {
  /** Step indexes in a topological order. */
  order: number[];
  /** Step indexes in the order they run: phase by phase, topologically inside each. */
  runOrder: number[];
  phases: PhaseSchedule[];
  /** Per step index: its group (level) inside its phase. */
  level: Int32Array;
  /** Per step index: earliest start, as an offset from the run's start in ms. */
  startMs: Float64Array;
  criticalPath: CriticalPath;
}

/**
 * Schedules an acyclic dependency graph. Phases run one after another in `phaseOrder` (each ends
 * with its checkpoint and intra health checks), so the run's critical path is the concatenation of
 * each phase's longest chain of steps by `estimated_duration`; inside a phase a step starts as soon
 * as the steps of that phase it depends on are done (edges from earlier phases are already met).
 */
export function schedule(dependencies: DependencyGraph, phaseOrder: readonly number[]): Schedule {
  const { steps, byId, predecessors } = dependencies;
  const n = steps.length;
  const order = dependencies.order;
  const level = new Int32Array(n);
  const finish = new Float64Array(n);
  const startMs = new Float64Array(n);
  const bestPred = new Int32Array(n).fill(-1);
  for (const i of order) {
    const ref = steps[i];
    if (!ref) continue;
    let lvl = 0;
    let ready = 0;
    for (const p of predecessors[i] ?? []) {
      if (steps[p]?.phaseIndex !== ref.phaseIndex) continue;
      lvl = Math.max(lvl, (level[p] as number) + 1);
      if (bestPred[i] === -1 || (finish[p] as number) > ready) {
        bestPred[i] = p;
        ready = finish[p] as number;
      }
    }
    level[i] = lvl;
    startMs[i] = ready;
    finish[i] = ready + stepDurationMs(ref.step);
  }

  const byPhase = new Map<number, number[]>();
  for (const ref of steps) {
    if (byId.get(ref.step.id) !== ref) continue; // a duplicate id is reported elsewhere
    const list = byPhase.get(ref.phaseIndex) ?? [];
    list.push(ref.index);
    byPhase.set(ref.phaseIndex, list);
  }

  const phases: PhaseSchedule[] = [];
  const path: number[] = [];
  let clock = 0;
  let downtimeMs = 0;
  for (const phaseIndex of phaseOrder) {
    const members = byPhase.get(phaseIndex) ?? [];
    const groups: number[][] = [];
    let last = -1;
    let lengthMs = 0;
    for (const i of members) {
      const lvl = level[i] as number;
      const group = groups[lvl];
      if (group) group.push(i);
      else groups[lvl] = [i];
      if (last === -1 || (finish[i] as number) > lengthMs) {
        last = i;
        lengthMs = finish[i] as number;
      }
      startMs[i] = (startMs[i] as number) + clock;
    }
    const chain: number[] = [];
    for (let at = last; at !== -1; at = bestPred[at] as number) chain.push(at);
    chain.reverse();
    for (const i of chain) downtimeMs += stepDowntimeMs((steps[i] as (typeof steps)[number]).step);
    path.push(...chain);
    phases.push({ phaseIndex, groups, startMs: clock, lengthMs });
    clock += lengthMs;
  }
  const phaseRank = new Int32Array(phaseOrder.length);
  phaseOrder.forEach((phaseIndex, rank) => {
    phaseRank[phaseIndex] = rank;
  });
  const buckets: number[][] = phaseOrder.map(() => []);
  for (const i of order) buckets[phaseRank[steps[i]?.phaseIndex ?? 0] as number]?.push(i);
  const runOrder = buckets.flat();
  return {
    order,
    runOrder,
    phases,
    level,
    startMs,
    criticalPath: { steps: path, totalMs: clock, downtimeMs },
  };
}
