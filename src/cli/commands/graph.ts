import { type Command, Option } from "commander";
import { explainBlueprint } from "../../core/explain.js";
import { renderDot } from "../../render/dot.js";
import { renderMermaid } from "../../render/mermaid.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { loadSoundBlueprint } from "./load-sound.js";

export function registerGraph(program: Command, context: CliContext): void {
  program
    .command("graph")
    .description(
      "draw the dependency graph: phases, parallel groups, the critical path (red), approvals (dashed)",
    )
    .argument("<file>", "blueprint file (YAML or JSON)")
    .addOption(
      new Option("--format <format>", "output format").choices(["mermaid", "dot"]).default("mermaid"),
    )
    .addHelpText(
      "after",
      "\nExamples:\n  migration-architect graph examples/rename-column.yaml > graph.mmd\n  migration-architect graph examples/rename-column.yaml --format dot | dot -Tsvg > graph.svg",
    )
    .action(async (file: string, options: { format: "mermaid" | "dot" }) => {
      const check = await loadSoundBlueprint(file, context);
      if (!check?.analysis || !check.loaded) return;
      const explanation = explainBlueprint(check.analysis);
      if (!explanation) return;
      const model = { explanation, edges: check.loaded.blueprint.dependency_graph?.edges ?? [] };
      context.out((options.format === "dot" ? renderDot(model) : renderMermaid(model)).trimEnd());
      context.exit(EXIT.ok);
    });
}
