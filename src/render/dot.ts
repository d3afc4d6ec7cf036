import { criticalEdges, type GraphModel, nodeNames, stepLabel } from "./graph-model.js";

/**
 * Renders the blueprint as Graphviz dot: a cluster per phase, each parallel group on one rank,
 * the critical path bold red, steps that need approval dashed orange.
 */
export function renderDot(model: GraphModel): string {
  const { explanation } = model;
  const names = nodeNames(model);
  const byId = new Map(explanation.steps.map((s) => [s.id, s]));
  const out = [
    "digraph blueprint {",
    `  label=${quote(`${explanation.blueprint.name} (${explanation.blueprint.id})`)};`,
    "  labelloc=t;",
    "  rankdir=TB;",
    '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];',
    '  edge [color="#555555"];',
  ];
  explanation.phases.forEach((phase, p) => {
    out.push(`  subgraph cluster_${p} {`);
    out.push(
      `    label=${quote(`${p + 1}. ${phase.name} (${phase.id})${phase.pattern ? ` · ${phase.pattern}` : ""}`)};`,
    );
    out.push('    style="rounded,dashed";');
    phase.groups.forEach((group, g) => {
      const members: string[] = [];
      for (const id of group) {
        const step = byId.get(id);
        const name = names.get(id);
        if (!step || !name) continue;
        const attrs = [`label=${quote(stepLabel(step).join("\n"))}`];
        if (step.on_critical_path) attrs.push('color="#d62728"', "penwidth=2.5");
        if (step.needs_approval) attrs.push('style="rounded,dashed,filled"', 'fillcolor="#fff4e0"');
        out.push(`    ${name} [${attrs.join(", ")}];`);
        members.push(name);
      }
      out.push(`    { rank=same; ${members.join("; ")}; } // group ${g + 1}`);
    });
    out.push("  }");
  });
  const critical = criticalEdges(model);
  for (const edge of model.edges) {
    const from = names.get(edge.from);
    const to = names.get(edge.to);
    if (!from || !to) continue;
    const hot = critical.has(`${edge.from}\u0000${edge.to}`);
    out.push(`  ${from} -> ${to}${hot ? ' [color="#d62728", penwidth=2.5]' : ""};`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}
