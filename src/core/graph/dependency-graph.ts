import type { Blueprint } from "../blueprint/schema.js";
import type { StepRef } from "../blueprint/step-index.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { findCycle, formatCycle } from "./find-cycle.js";

/**
 * The steps' dependency graph: an edge `from → to` means `from` must complete before `to`.
 *
 * Held as adjacency lists by step index rather than as a graphology graph: graphology spends
 * about 1.1 s building a 100,000-step, 300,000-edge graph on this project's machines (measured),
 * which alone breaks the 2 s budget for validating such a blueprint; every pass here is linear on
 * plain arrays. graphology holds the phase graph (`phase-order.ts`), which is small.
 */
export interface DependencyGraph {
  steps: StepRef[];
  byId: Map<string, StepRef>;
  /** Successors and predecessors by step index (list order), for the linear-time passes. */
  successors: number[][];
  predecessors: number[][];
  /** True when the graph has no cycle and every edge names a step. */
  acyclic: boolean;
  /** Step indexes in a topological order (complete when `acyclic`). */
  order: number[];
}

/**
 * Builds the dependency graph and reports duplicate step ids (MA101), edges and nodes that name
 * no step (MA102, MA106), repeated edges (MA105) and a cycle, named in order (MA103).
 */
export function buildDependencyGraph(
  blueprint: Blueprint,
  steps: StepRef[],
): { graph: DependencyGraph; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const byId = new Map<string, StepRef>();
  for (const ref of steps) {
    const seen = byId.get(ref.step.id);
    if (seen) {
      diagnostics.push(
        diagnostic(
          "MA101",
          [...ref.path, "id"],
          `duplicate step id '${ref.step.id}' (first used in phase '${seen.phase.id}')`,
        ),
      );
      continue;
    }
    byId.set(ref.step.id, ref);
  }

  const successors: number[][] = steps.map(() => []);
  const predecessors: number[][] = steps.map(() => []);
  let dangling = false;
  // A step's successors are few, so a repeated edge is found by scanning them; a step with many
  // gets a Set, so that no blueprint makes this quadratic.
  const wide = new Map<number, Set<number>>();
  const edges = blueprint.dependency_graph?.edges ?? [];
  edges.forEach((edge, index) => {
    const path = () => ["blueprint", "dependency_graph", "edges", index];
    const from = byId.get(edge.from);
    const to = byId.get(edge.to);
    if (!from || !to) {
      dangling = true;
      for (const [end, ref] of [
        ["from", from],
        ["to", to],
      ] as const) {
        if (!ref) {
          diagnostics.push(
            diagnostic(
              "MA102",
              [...path(), end],
              `edge ${edge.from} → ${edge.to}: no step has the id '${edge[end]}'`,
            ),
          );
        }
      }
      return;
    }
    const out = successors[from.index] as number[];
    const set = wide.get(from.index);
    if (set ? set.has(to.index) : out.includes(to.index)) {
      diagnostics.push(
        diagnostic("MA105", path(), `edge ${edge.from} → ${edge.to} is listed more than once`),
      );
      return;
    }
    out.push(to.index);
    if (set) set.add(to.index);
    else if (out.length > 32) wide.set(from.index, new Set(out));
    predecessors[to.index]?.push(from.index);
  });

  blueprint.dependency_graph?.nodes?.forEach((node, index) => {
    if (!byId.has(node.id)) {
      diagnostics.push(
        diagnostic(
          "MA106",
          ["blueprint", "dependency_graph", "nodes", index, "id"],
          `no step has the id '${node.id}'`,
        ),
      );
    }
  });

  // Kahn's order proves the graph acyclic in linear time; only when it falls short is the slower
  // search run, to name the cycle.
  const order = topologicalOrder(steps, byId, successors, predecessors);
  const cycle = order.length < byId.size ? findCycle(successors) : undefined;
  if (cycle) {
    const names = cycle.map((i) => steps[i]?.step.id ?? String(i));
    const first = steps[cycle[0] as number] as StepRef;
    const closing = edges.findIndex((e) => e.from === names[names.length - 1] && e.to === names[0]);
    diagnostics.push(
      diagnostic(
        "MA103",
        closing >= 0 ? ["blueprint", "dependency_graph", "edges", closing] : [...first.path, "id"],
        `the steps' dependencies form a cycle: ${formatCycle(names)}`,
      ),
    );
  }

  return {
    graph: { steps, byId, successors, predecessors, acyclic: !cycle && !dangling, order },
    diagnostics,
  };
}

/**
 * Kahn's algorithm on the adjacency lists, seeded and fed in list order, so the order is
 * deterministic. Steps on or behind a cycle are left out.
 */
function topologicalOrder(
  steps: readonly StepRef[],
  byId: ReadonlyMap<string, StepRef>,
  successors: readonly number[][],
  predecessors: readonly number[][],
): number[] {
  const n = steps.length;
  const inDegree = new Int32Array(n);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    inDegree[i] = predecessors[i]?.length ?? 0;
    const ref = steps[i];
    // a duplicate id's step is not part of the graph
    if (inDegree[i] === 0 && ref && byId.get(ref.step.id) === ref) order.push(i);
  }
  for (let head = 0; head < order.length; head++) {
    for (const next of successors[order[head] as number] ?? []) {
      inDegree[next] = (inDegree[next] as number) - 1;
      if (inDegree[next] === 0) order.push(next);
    }
  }
  return order;
}

/**
 * The steps reachable from `start` (step indexes) along `successors` (what depends on them,
 * transitively) or `predecessors` (what they depend on); `start` itself only with `includeStart`.
 */
export function reachable(
  dependencies: Pick<DependencyGraph, "successors" | "predecessors">,
  start: readonly number[],
  direction: "successors" | "predecessors",
  includeStart: boolean,
): Set<number> {
  const edges = dependencies[direction];
  const seen = new Set<number>(includeStart ? start : []);
  const queue = [...start];
  for (let head = 0; head < queue.length; head++) {
    for (const next of edges[queue[head] as number] ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}
