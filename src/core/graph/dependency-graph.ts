import { DirectedGraph } from "graphology";
import type { Blueprint } from "../blueprint/schema.js";
import type { StepRef } from "../blueprint/step-index.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { findCycle, formatCycle } from "./find-cycle.js";

/** The steps' dependency graph: an edge `from → to` means `from` must complete before `to`. */
export interface DependencyGraph {
  /** graphology graph keyed by step id; node attribute `index` is the step's list position. */
  graph: DirectedGraph<{ index: number }, { risk?: number; index: number }>;
  steps: StepRef[];
  byId: Map<string, StepRef>;
  /** Successors and predecessors by step index (list order), for the linear-time passes. */
  successors: number[][];
  predecessors: number[][];
  /** True when the graph has no cycle and every edge names a step. */
  acyclic: boolean;
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
  const graph: DependencyGraph["graph"] = new DirectedGraph();
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
    graph.addNode(ref.step.id, { index: ref.index });
  }

  const successors: number[][] = steps.map(() => []);
  const predecessors: number[][] = steps.map(() => []);
  let dangling = false;
  const edges = blueprint.dependency_graph?.edges ?? [];
  edges.forEach((edge, index) => {
    const path = ["blueprint", "dependency_graph", "edges", index];
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
              [...path, end],
              `edge ${edge.from} → ${edge.to}: no step has the id '${edge[end]}'`,
            ),
          );
        }
      }
      return;
    }
    if (graph.hasDirectedEdge(edge.from, edge.to)) {
      diagnostics.push(diagnostic("MA105", path, `edge ${edge.from} → ${edge.to} is listed more than once`));
      return;
    }
    graph.addDirectedEdge(
      edge.from,
      edge.to,
      edge.risk === undefined ? { index } : { risk: edge.risk, index },
    );
    successors[from.index]?.push(to.index);
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

  const cycle = findCycle(successors);
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
    graph: { graph, steps, byId, successors, predecessors, acyclic: !cycle && !dangling },
    diagnostics,
  };
}
