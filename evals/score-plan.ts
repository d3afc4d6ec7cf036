import { parseDuration } from "../src/core/blueprint/duration.js";
import type { Blueprint } from "../src/core/blueprint/schema.js";
import { reachable } from "../src/core/graph/dependency-graph.js";
import type { BlueprintAnalysis } from "../src/core/validate.js";
import type { EvalCase } from "./case.js";

/** One check of a case, with what was measured. */
export interface CheckResult {
  check: string;
  pass: boolean;
  /** What was expected and what was found, in words a reader of the report understands. */
  detail: string;
}

/**
 * Scores a plan against the case's `expect` (FORMAT.md): every check the case names, each with
 * its figures. Approval is the core's verdict (the analysis), never the plan's claim.
 */
export function scorePlan(
  expect: EvalCase["expect"],
  blueprint: Blueprint,
  analysis: BlueprintAnalysis,
  valid: boolean,
): CheckResult[] {
  const out: CheckResult[] = [];
  const steps = analysis.steps.map((ref) => ({ ref, step: ref.step }));
  const actions = new Set(steps.map((s) => s.step.action));
  const wantValid = expect.valid ?? true;
  out.push({
    check: "valid",
    pass: valid === wantValid,
    detail: `expected ${wantValid ? "valid" : "invalid"}, the core says ${valid ? "valid" : "invalid"}`,
  });
  for (const action of expect.actions_include ?? []) {
    out.push({
      check: `actions_include ${action}`,
      pass: actions.has(action),
      detail: actions.has(action) ? "present" : `absent; the plan uses ${[...actions].join(", ")}`,
    });
  }
  for (const action of expect.actions_exclude ?? []) {
    const n = steps.filter((s) => s.step.action === action).length;
    out.push({
      check: `actions_exclude ${action}`,
      pass: n === 0,
      detail: n ? `${n} step(s) use it` : "absent",
    });
  }
  if (expect.order?.length) {
    for (const [a, b] of expect.order) {
      const later = steps.filter((s) => s.step.action === b);
      const bad = later.filter(
        (s) =>
          ![...reachable(analysis.dependencies, [s.ref.index], "predecessors", false)].some(
            (i) => analysis.steps[i]?.step.action === a,
          ),
      );
      out.push({
        check: `order ${a} → ${b}`,
        pass: bad.length === 0,
        detail:
          later.length === 0
            ? `no ${b} step (holds vacuously)`
            : bad.length
              ? `${bad.map((s) => s.step.id).join(", ")} do not depend on a ${a} step`
              : `${later.length} ${b} step(s), each after a ${a} step`,
      });
    }
  }
  for (const pattern of expect.patterns ?? []) {
    const has = blueprint.phases.some((p) => p.pattern === pattern);
    out.push({
      check: `pattern ${pattern}`,
      pass: has,
      detail: has
        ? "named by a phase"
        : `no phase names it (phases: ${blueprint.phases.map((p) => p.pattern ?? "-").join(", ")})`,
    });
  }
  for (const action of expect.approval_required ?? []) {
    const matching = steps.filter((s) => s.step.action === action);
    const ungated = matching.filter((s) => !analysis.approvals[s.ref.index]);
    out.push({
      check: `approval_required ${action}`,
      pass: ungated.length === 0,
      detail:
        matching.length === 0
          ? `no ${action} step (holds vacuously)`
          : ungated.length
            ? `${ungated.map((s) => `${s.step.id} (risk ${analysis.risks[s.ref.index]?.composite.toFixed(2)})`).join(", ")} need no approval`
            : `${matching.length} step(s), all gated`,
    });
  }
  if (expect.rollback_coverage !== undefined) {
    const automatic = steps.filter(
      (s) => (s.step.rollback?.level ?? 0) <= 1 && !s.step.rollback?.manual,
    ).length;
    const share = steps.length ? automatic / steps.length : 1;
    out.push({
      check: "rollback_coverage",
      pass: share >= expect.rollback_coverage,
      detail: `${automatic}/${steps.length} = ${share.toFixed(2)} (want ≥ ${expect.rollback_coverage})`,
    });
  }
  if (expect.max_downtime_steps !== undefined) {
    const down = steps.filter((s) => (parseDuration(s.step.downtime ?? "0s") ?? 0) > 0).length;
    out.push({
      check: "max_downtime_steps",
      pass: down <= expect.max_downtime_steps,
      detail: `${down} step(s) declare downtime (want ≤ ${expect.max_downtime_steps})`,
    });
  }
  return out;
}
