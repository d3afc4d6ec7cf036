import { criticalEdges, type GraphModel, nodeNames, stepLabel } from "./graph-model.js";

/**
 * Renders the blueprint as a mermaid flowchart: one subgraph per phase (in run order), one per
 * parallel group inside it, the critical path in red and steps that need approval dashed.
 */
export function renderMermaid(model: GraphModel): string {
  const { explanation } = model;
  const names = nodeNames(model);
  const byId = new Map(explanation.steps.map((s) => [s.id, s]));
  const out = ["flowchart TD"];
  explanation.phases.forEach((phase, p) => {
    out.push(
      `  subgraph P${p}["${escapeLabel(`${p + 1}. ${phase.name} (${phase.id})${phase.pattern ? ` · ${phase.pattern}` : ""}`)}"]`,
    );
    out.push("    direction TB");
    phase.groups.forEach((group, g) => {
      out.push(`    subgraph P${p}G${g}["group ${g + 1}"]`);
      for (const id of group) {
        const step = byId.get(id);
        if (step) out.push(`      ${names.get(id)}["${stepLabel(step).map(escapeLabel).join("<br/>")}"]`);
      }
      out.push("    end");
    });
    out.push("  end");
  });
  const critical = criticalEdges(model);
  const criticalLinks: number[] = [];
  model.edges.forEach((edge, i) => {
    const from = names.get(edge.from);
    const to = names.get(edge.to);
    if (!from || !to) return;
    out.push(`  ${from} --> ${to}`);
    if (critical.has(`${edge.from}\u0000${edge.to}`)) criticalLinks.push(i);
  });
  out.push("  classDef critical stroke:#d62728,stroke-width:3px");
  out.push("  classDef approval stroke-dasharray:5 5,fill:#fff4e0");
  const onPath = explanation.steps.filter((s) => s.on_critical_path).map((s) => names.get(s.id));
  const gated = explanation.steps.filter((s) => s.needs_approval).map((s) => names.get(s.id));
  if (onPath.length) out.push(`  class ${onPath.join(",")} critical`);
  if (gated.length) out.push(`  class ${gated.join(",")} approval`);
  if (criticalLinks.length)
    out.push(`  linkStyle ${criticalLinks.join(",")} stroke:#d62728,stroke-width:3px`);
  return `${out.join("\n")}\n`;
}

function escapeLabel(text: string): string {
  return text.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}
