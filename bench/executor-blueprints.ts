/**
 * The blueprints of the executor benchmark, built in code (deterministic: no seed needed).
 *
 * - `noopBlueprint()`: 1,000 `bench.noop` steps in ONE phase, as 10 groups (topological levels)
 *   of 100: step `l<k>-s<j>` depends on `l<k-1>-s<j>`, so level k can start only as level k−1
 *   ends, chain by chain (100 chains of 10, 900 edges).
 * - `sleepBlueprint()`: 41 `bench.sleep` steps (50–200 ms) in 4 phases; each phase has up to 4
 *   parallel branches of different lengths, two of them between a fan-out and a join step. Each
 *   step's `estimated_duration` is its sleep, so the core's critical path
 *   (`schedule.criticalPath.totalMs`) is the wall time an executor with no overhead would take.
 *
 * Both have one `bench` component, a pre check, an intra check per phase and a post check (the
 * least a real blueprint has), and every step's rollback is its inverse (a noop).
 */
import type { Blueprint, HealthCheck, Phase, Step } from "../src/core/blueprint/schema.js";

const COMPONENT = "bench";

function check(id: string, stage: HealthCheck["stage"]): HealthCheck {
  return { id, type: "connectivity", stage, component: COMPONENT };
}

function base(id: string, phases: Phase[], edges: [string, string][], maxParallelism?: number): Blueprint {
  const components = [{ id: COMPONENT, kind: "bench", connection: "bench:memory" }];
  const first = phases[0] as Phase;
  const last = phases[phases.length - 1] as Phase;
  first.health_checks = [check("pre-ok", "pre"), ...(first.health_checks ?? [])];
  last.health_checks = [...(last.health_checks ?? []), check("post-ok", "post")];
  return {
    id,
    name: `executor benchmark: ${id}`,
    version: "1.0",
    created_at: "2026-11-25T00:00:00Z",
    source_state: { components },
    target_state: { components },
    phases,
    dependency_graph: { edges: edges.map(([from, to]) => ({ from, to })) },
    rollback_strategy: { type: "cascading" },
    ...(maxParallelism ? { constraints: { max_parallelism: maxParallelism } } : {}),
  };
}

function step(id: string, action: "bench.noop" | "bench.sleep", ms = 0): Step {
  return {
    id,
    name: id,
    component: COMPONENT,
    action,
    params: action === "bench.sleep" ? { ms } : {},
    rollback: { inverse: true },
    estimated_duration: `${ms}ms`,
    downtime: "0s",
  };
}

export const NOOP_LEVELS = 10;
export const NOOP_WIDTH = 100;

/** 1,000 noop steps: one phase, 10 levels of 100 (100 chains of 10). */
export function noopBlueprint(levels = NOOP_LEVELS, width = NOOP_WIDTH): Blueprint {
  const steps: Step[] = [];
  const edges: [string, string][] = [];
  for (let l = 0; l < levels; l++) {
    for (let s = 0; s < width; s++) {
      steps.push(step(`l${l}-s${s}`, "bench.noop"));
      if (l > 0) edges.push([`l${l - 1}-s${s}`, `l${l}-s${s}`]);
    }
  }
  const phase: Phase = {
    id: "noop",
    name: "no-op steps",
    steps,
    health_checks: [check("noop-ok", "intra")],
  };
  return base("bench-noop", [phase], edges);
}

/** A phase's shape: an optional fan-out step, parallel branches of sleeps, an optional join step. */
interface PhaseShape {
  id: string;
  fanOut?: number;
  branches: number[][];
  join?: number;
}

/**
 * The sleep phases. Lengths (the core computes the same): a 50+200+50 = 300, b 450, c 100+320+100
 * = 520, d 300 (two branches tie) — 1,570 ms in all, 41 steps, at most 4 running at once.
 */
export const SLEEP_PHASES: readonly PhaseShape[] = [
  { id: "a", fanOut: 50, branches: [[200], [100, 100], [50, 50, 50]], join: 50 },
  { id: "b", branches: [[150, 150, 150], [200, 100], [50, 100, 50, 100], [120]] },
  {
    id: "c",
    fanOut: 100,
    branches: [
      [80, 80, 80, 80],
      [200, 120],
      [60, 60],
    ],
    join: 100,
  },
  {
    id: "d",
    branches: [
      [50, 50, 50, 50, 50, 50],
      [150, 150],
      [200, 70],
      [90, 90, 90],
    ],
  },
];

export function sleepBlueprint(shapes: readonly PhaseShape[] = SLEEP_PHASES): Blueprint {
  const edges: [string, string][] = [];
  const phases: Phase[] = shapes.map((shape) => {
    const steps: Step[] = [];
    const fan = shape.fanOut === undefined ? undefined : `${shape.id}-fan`;
    if (fan) steps.push(step(fan, "bench.sleep", shape.fanOut));
    const ends: string[] = [];
    shape.branches.forEach((branch, b) => {
      let previous = fan;
      branch.forEach((ms, k) => {
        const id = `${shape.id}-b${b}-${k}`;
        steps.push(step(id, "bench.sleep", ms));
        if (previous) edges.push([previous, id]);
        previous = id;
      });
      if (previous) ends.push(previous);
    });
    if (shape.join !== undefined) {
      const join = `${shape.id}-join`;
      steps.push(step(join, "bench.sleep", shape.join));
      for (const end of ends) edges.push([end, join]);
    }
    return {
      id: shape.id,
      name: `sleep phase ${shape.id}`,
      steps,
      health_checks: [check(`${shape.id}-ok`, "intra")],
    };
  });
  const widest = Math.max(...shapes.map((s) => s.branches.length));
  return base("bench-sleep", phases, edges, widest);
}
