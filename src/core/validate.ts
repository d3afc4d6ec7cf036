import {
  checkStepActions,
  type MissingAdapters,
  missingAdapterDiagnostics,
} from "./actions/check-actions.js";
import { approvalThreshold } from "./blueprint/effective.js";
import type { Blueprint, Component } from "./blueprint/schema.js";
import { listSteps, type StepRef } from "./blueprint/step-index.js";
import { type ActionCatalog, createCatalog } from "./catalog/catalog.js";
import { checkConstraints } from "./constraints/check-constraints.js";
import { type Diagnostic, diagnostic, hasErrors } from "./diagnostics/diagnostic.js";
import { buildDependencyGraph, type DependencyGraph } from "./graph/dependency-graph.js";
import { orderPhases } from "./graph/phase-order.js";
import { type Schedule, schedule as scheduleSteps } from "./graph/schedule.js";
import { lintBlueprint } from "./lint/lint.js";
import { needsApproval } from "./risk/approval.js";
import { type StepRisk, scoreStep } from "./risk/risk.js";
import { checkCheckpoints, checkStepRollback } from "./rollback/check-rollbacks.js";

export interface ValidateOptions {
  /** The action catalogue; without one, every action gets MA502 and conservative risk. */
  catalog?: ActionCatalog;
  /** Planned start of the run: enables the maintenance-window schedule check (MA303). */
  at?: Date;
  /**
   * Discovery snapshots by component id, passed to the actions' risk rules and to the
   * zero-downtime lint (MA6xx, MA505), which reads a PostgreSQL one through `SchemaFacts`.
   */
  discovery?: ReadonlyMap<string, unknown>;
  /**
   * The highest approval threshold the surface accepts (an MCP server's, set by the person): a
   * blueprint's `require_approval_above` above it is an error (MA403), so that whoever writes the
   * blueprint (a model) cannot loosen the approvals. Absent: the blueprint's own threshold holds.
   */
  approvalCeiling?: number;
}

/** Everything the core derives from a blueprint, for explain, graph and the executor. */
export interface BlueprintAnalysis {
  blueprint: Blueprint;
  steps: StepRef[];
  dependencies: DependencyGraph;
  /** Present when the graph is sound (no cycle, no dangling edge, no duplicate id). */
  schedule: Schedule | undefined;
  /** Per step index. */
  risks: StepRisk[];
  /** Per step index: whether the step needs an approval before it runs. */
  approvals: boolean[];
  approvalThreshold: number;
  /** Per edge of dependency_graph.edges: its risk weight (default: the `from` step's composite). */
  edgeRisks: number[];
  components: Map<string, Component>;
}

export interface Validation {
  diagnostics: Diagnostic[];
  analysis: BlueprintAnalysis;
  valid: boolean;
}

const NO_CATALOG = createCatalog([]);

/**
 * Validates a blueprint that has passed the schema: ids, graph, phase order, rollbacks, actions,
 * risk and approvals, constraints, and the zero-downtime lint. Pure: the same blueprint and
 * options give the same result.
 */
export function validateBlueprint(blueprint: Blueprint, options: ValidateOptions = {}): Validation {
  const catalog = options.catalog ?? NO_CATALOG;
  const diagnostics: Diagnostic[] = [];
  const steps = listSteps(blueprint);

  const components = new Map<string, Component>();
  for (const state of ["source_state", "target_state"] as const) {
    const seen = new Set<string>();
    blueprint[state].components.forEach((component, i) => {
      if (seen.has(component.id)) {
        diagnostics.push(
          diagnostic(
            "MA101",
            ["blueprint", state, "components", i, "id"],
            `duplicate component id '${component.id}'`,
          ),
        );
      }
      seen.add(component.id);
      if (!components.has(component.id)) components.set(component.id, component);
    });
  }
  diagnostics.push(...checkPhaseIds(blueprint, components));

  const { graph: dependencies, diagnostics: graphDiagnostics } = buildDependencyGraph(blueprint, steps);
  diagnostics.push(...graphDiagnostics);

  let schedule: Schedule | undefined;
  if (dependencies.acyclic && !graphDiagnostics.some((d) => d.code === "MA101")) {
    const phases = orderPhases(blueprint, dependencies);
    diagnostics.push(...phases.diagnostics);
    if (phases.order) schedule = scheduleSteps(dependencies, phases.order);
  }

  diagnostics.push(...checkCheckpoints(blueprint));
  const threshold = approvalThreshold(blueprint);
  if (options.approvalCeiling !== undefined && threshold > options.approvalCeiling) {
    diagnostics.push(
      diagnostic(
        "MA403",
        ["blueprint", "constraints", "require_approval_above"],
        blueprint.constraints?.require_approval_above === undefined
          ? `the blueprint sets no require_approval_above, so its threshold is the default ${threshold}, above this server's ${options.approvalCeiling}: set constraints.require_approval_above to ${options.approvalCeiling} or lower`
          : `require_approval_above ${threshold} is above this server's approval threshold ${options.approvalCeiling}: a blueprint cannot loosen approvals here`,
      ),
    );
  }
  const risks: StepRisk[] = [];
  const missing: MissingAdapters = new Map();
  const approvals: boolean[] = [];
  for (const ref of steps) {
    const component = components.get(ref.step.component);
    if (!component) {
      diagnostics.push(
        diagnostic(
          "MA107",
          [...ref.path, "component"],
          `step '${ref.step.id}': no component '${ref.step.component}' in source_state or target_state`,
        ),
      );
    }
    diagnostics.push(...checkStepRollback(ref, catalog));
    diagnostics.push(...checkStepActions(ref, catalog, components, missing));
    const scored = scoreStep(ref, catalog, {
      component,
      discovery: options.discovery?.get(ref.step.component),
    });
    diagnostics.push(...scored.diagnostics);
    risks[ref.index] = scored.risk;
    const gated = needsApproval(scored.risk.composite, threshold);
    approvals[ref.index] = gated;
    if (gated) {
      diagnostics.push(
        diagnostic(
          "MA401",
          [...ref.path, "id"],
          `step '${ref.step.id}' has risk ${scored.risk.composite.toFixed(2)} > ${threshold}: it needs an approval to run`,
        ),
      );
    }
  }

  diagnostics.push(...checkConstraints(blueprint, steps, schedule, { at: options.at }));
  diagnostics.push(...lintBlueprint(steps, components, options.discovery));
  diagnostics.push(...missingAdapterDiagnostics(missing));

  const edgeRisks = (blueprint.dependency_graph?.edges ?? []).map((edge) => {
    if (edge.risk !== undefined) return edge.risk;
    const from = dependencies.byId.get(edge.from);
    return from ? (risks[from.index]?.composite ?? 0) : 0;
  });

  return {
    diagnostics,
    valid: !hasErrors(diagnostics),
    analysis: {
      blueprint,
      steps,
      dependencies,
      schedule,
      risks,
      approvals,
      approvalThreshold: threshold,
      edgeRisks,
      components,
    },
  };
}

/** Phase ids and health-check ids are unique (MA101); checks name declared components (MA107). */
function checkPhaseIds(blueprint: Blueprint, components: ReadonlyMap<string, Component>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const phaseIds = new Set<string>();
  const checkIds = new Set<string>();
  blueprint.phases.forEach((phase, p) => {
    if (phaseIds.has(phase.id)) {
      diagnostics.push(
        diagnostic("MA101", ["blueprint", "phases", p, "id"], `duplicate phase id '${phase.id}'`),
      );
    }
    phaseIds.add(phase.id);
    phase.health_checks?.forEach((check, c) => {
      const path = ["blueprint", "phases", p, "health_checks", c];
      if (checkIds.has(check.id)) {
        diagnostics.push(diagnostic("MA101", [...path, "id"], `duplicate health check id '${check.id}'`));
      }
      checkIds.add(check.id);
      if (!components.has(check.component)) {
        diagnostics.push(
          diagnostic(
            "MA107",
            [...path, "component"],
            `health check '${check.id}': no component '${check.component}' in source_state or target_state`,
          ),
        );
      }
    });
  });
  return diagnostics;
}
