import Table from "cli-table3";
import type { Command } from "commander";
import pc from "picocolors";
import { formatDuration } from "../../core/blueprint/duration.js";
import { type Explanation, explainBlueprint } from "../../core/explain.js";
import type { RollbackOperation } from "../../core/rollback/plans.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { parseAt } from "../options.js";
import { formatDiagnostic } from "../output/diagnostics.js";
import { loadSoundBlueprint } from "./load-sound.js";

export function registerExplain(program: Command, context: CliContext): void {
  program
    .command("explain")
    .description("explain a blueprint: risk table, parallel groups, critical path, rollback plans")
    .argument("<file>", "blueprint file (YAML or JSON)")
    .option("--json", "print the explanation as JSON")
    .option("--at <time>", "planned start (ISO 8601), for the maintenance-window check")
    .addHelpText("after", "\nExample:\n  migration-architect explain examples/rename-column.yaml")
    .action(async (file: string, options: { json?: boolean; at?: string }) => {
      const check = await loadSoundBlueprint(file, context, parseAt(options.at));
      if (!check?.analysis) return;
      const explanation = explainBlueprint(check.analysis);
      if (!explanation) return;
      if (options.json) {
        context.out(JSON.stringify({ ...explanation, diagnostics: check.diagnostics }, null, 2));
      } else {
        context.out(renderExplanation(explanation));
        const notes = check.diagnostics.filter((d) => d.severity !== "info");
        if (notes.length) {
          context.out(pc.bold("\nWarnings"));
          for (const d of notes) context.out(formatDiagnostic(d));
        }
      }
      context.exit(EXIT.ok);
    });
}

/** The explanation as terminal text: a table per the blueprint, then path and rollback plans. */
export function renderExplanation(e: Explanation): string {
  const out: string[] = [];
  out.push(pc.bold(`${e.blueprint.name}`) + pc.dim(`  ${e.blueprint.id} v${e.blueprint.version}`));
  const table = new Table({
    head: [
      "phase",
      "grp",
      "step",
      "action",
      "cplx",
      "blast",
      "revers",
      "sens",
      "risk",
      "approval",
      "rollback",
    ],
    style: { head: [], border: [] },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const s of e.steps) {
    const f = s.factors;
    const risk = s.risk.toFixed(2) + (s.risk_from_catalog ? "" : "*");
    table.push([
      s.phase,
      String(s.group),
      s.on_critical_path ? pc.red(s.id) : s.id,
      s.action,
      f.complexity.toFixed(2),
      f.blast_radius.toFixed(2),
      f.reversibility_difficulty.toFixed(2),
      f.data_sensitivity.toFixed(2),
      s.needs_approval ? pc.yellow(risk) : risk,
      s.needs_approval ? pc.yellow("needed") : "-",
      describeRollback(s.rollback),
    ]);
  }
  out.push(table.toString());
  if (e.steps.some((s) => !s.risk_from_catalog)) {
    out.push(
      pc.dim(
        "* not derived from the action catalogue: conservative defaults, raised by the blueprint's factors",
      ),
    );
  }
  const gated = e.steps.filter((s) => s.needs_approval).length;
  out.push(`Approval threshold ${e.approval_threshold}: ${gated} of ${e.steps.length} steps need approval.`);

  out.push(pc.bold("\nPhases (in run order)"));
  e.phases.forEach((p, i) => {
    const groups = p.groups.map((g) => `[${g.join(", ")}]`).join(" → ");
    out.push(
      `  ${i + 1}. ${p.id}${p.pattern ? ` (${p.pattern})` : ""}: ${formatDuration(p.length_ms)} — ${groups}`,
    );
  });

  out.push(pc.bold("\nCritical path"));
  out.push(`  ${e.critical_path.steps.join(" → ")}`);
  out.push(
    `  length ${formatDuration(e.critical_path.total_ms)}, downtime on it ${formatDuration(e.critical_path.downtime_ms)}`,
  );

  out.push(pc.bold(`\nRollback plans (strategy: ${e.rollback_strategy})`));
  const { cascading, point_in_time, selective_alone } = e.rollback_plans;
  if (cascading.first) {
    out.push(
      `  cascading from the first step, ${cascading.first.target}: undoes ${list(cascading.first.steps)}`,
    );
  }
  if (cascading.riskiest && cascading.riskiest.target !== cascading.first?.target) {
    out.push(
      `  cascading from the riskiest step, ${cascading.riskiest.target}: undoes ${list(cascading.riskiest.steps)}`,
    );
  }
  if (point_in_time.length === 0) out.push("  point-in-time: no checkpoints declared");
  for (const p of point_in_time) out.push(`  point-in-time to ${p.target}: undoes ${list(p.steps)}`);
  out.push(`  selective: steps that nothing depends on, each can be undone alone: ${list(selective_alone)}`);
  return out.join("\n");
}

function list(ids: readonly string[], max = 8): string {
  if (ids.length === 0) return "nothing";
  const shown = ids.slice(0, max).join(", ");
  return ids.length > max
    ? `${ids.length} steps (${shown}, …)`
    : `${ids.length === 1 ? "1 step" : `${ids.length} steps`} (${shown})`;
}

function describeRollback(op: RollbackOperation | null): string {
  if (!op) return pc.red("none");
  if (op.kind === "manual") return "manual (level 2)";
  const level = op.level === 1 ? ", prompted" : "";
  return op.kind === "inverse" ? `inverse${level}` : `${op.action}${level}`;
}
