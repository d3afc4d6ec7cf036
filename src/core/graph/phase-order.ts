import { DirectedGraph } from "graphology";
import type { Blueprint } from "../blueprint/schema.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { DependencyGraph } from "./dependency-graph.js";
import { findCycle, formatCycle } from "./find-cycle.js";

/**
 * Orders the phases: a phase runs after every phase holding a step it depends on; ties go by
 * list order. Returns phase indexes, or a diagnostic naming the phase cycle (MA104).
 *
 * Hand-written Kahn's algorithm, because the tie rule (list order, always the earliest listed
 * ready phase) is part of the contract and graphology-dag's sort does not promise it.
 */
export function orderPhases(
  blueprint: Blueprint,
  dependencies: DependencyGraph,
): { order: number[] | undefined; diagnostics: Diagnostic[] } {
  // The phase graph: a node per phase (keyed by list index, as ids may repeat until MA101 is
  // fixed), an edge p → q when a step of q depends on a step of p. mergeEdge keeps one edge per pair.
  const phases = new DirectedGraph();
  blueprint.phases.forEach((_, index) => {
    phases.addNode(String(index));
  });
  dependencies.steps.forEach((ref, index) => {
    for (const succ of dependencies.successors[index] ?? []) {
      const target = dependencies.steps[succ]?.phaseIndex;
      if (target !== undefined && target !== ref.phaseIndex)
        phases.mergeEdge(String(ref.phaseIndex), String(target));
    }
  });
  const adjacency = blueprint.phases.map((_, index) =>
    phases
      .outNeighbors(String(index))
      .map(Number)
      .sort((a, b) => a - b),
  );
  const cycle = findCycle(adjacency);
  if (cycle) {
    const names = cycle.map((i) => blueprint.phases[i]?.id ?? String(i));
    return {
      order: undefined,
      diagnostics: [
        diagnostic(
          "MA104",
          ["blueprint", "phases", cycle[0] as number, "id"],
          `the phases depend on each other in a cycle: ${formatCycle(names)} (through edges between their steps)`,
        ),
      ],
    };
  }
  const count = blueprint.phases.length;
  const inDegree = blueprint.phases.map((_, index) => phases.inDegree(String(index)));
  const done = new Array<boolean>(count).fill(false);
  const order: number[] = [];
  while (order.length < count) {
    const next = inDegree.findIndex((d, i) => d === 0 && !done[i]);
    done[next] = true;
    order.push(next);
    for (const t of adjacency[next] ?? []) inDegree[t] = (inDegree[t] ?? 0) - 1;
  }
  return { order, diagnostics: [] };
}
