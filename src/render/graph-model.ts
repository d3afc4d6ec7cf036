import type { Explanation } from "../core/explain.js";

/** What the graph renderers draw: phases with their groups, steps, and edges. */
export interface GraphModel {
  explanation: Explanation;
  edges: ReadonlyArray<{ from: string; to: string }>;
}

/** Short stable node names (`s0`, `s1`, …) so ids with any characters render safely. */
export function nodeNames(model: GraphModel): Map<string, string> {
  return new Map(model.explanation.steps.map((s, i) => [s.id, `s${i}`]));
}

/** Edges between consecutive steps of the critical path (where such an edge exists). */
export function criticalEdges(model: GraphModel): Set<string> {
  const path = model.explanation.critical_path.steps;
  const consecutive = new Set<string>();
  for (let i = 1; i < path.length; i++) consecutive.add(`${path[i - 1]}\u0000${path[i]}`);
  const found = new Set<string>();
  for (const e of model.edges) {
    const key = `${e.from}\u0000${e.to}`;
    if (consecutive.has(key)) found.add(key);
  }
  return found;
}

export function stepLabel(step: Explanation["steps"][number]): string[] {
  const lines = [step.id, `${step.action} · risk ${step.risk.toFixed(2)}`];
  if (step.estimated_duration) lines.push(`~${step.estimated_duration}`);
  if (step.needs_approval) lines.push("needs approval");
  return lines;
}
