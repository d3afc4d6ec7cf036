import type { Blueprint } from "../blueprint/schema.js";
import type { StepRef } from "../blueprint/step-index.js";
import type { ActionCatalog } from "../catalog/catalog.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";

/**
 * Every step has a rollback (MA201) of exactly one form — an action with params, `inverse: true`
 * or level-2 manual instructions (MA202) — and an `inverse` the catalogue can honour (MA203).
 */
export function checkStepRollback(ref: StepRef, catalog: ActionCatalog): Diagnostic[] {
  const { step, path } = ref;
  const rollback = step.rollback;
  if (!rollback) {
    return [
      diagnostic(
        "MA201",
        [...path, "id"],
        `step '${step.id}' has no rollback`,
        catalog.get(step.action)?.hasInverse(step.params ?? {})
          ? `${step.action} has an automatic inverse: add \`rollback: { inverse: true }\`.`
          : undefined,
      ),
    ];
  }
  const at = [...path, "rollback"];
  const forms = [
    rollback.action !== undefined,
    rollback.inverse === true,
    rollback.manual !== undefined,
  ].filter(Boolean).length;
  if (forms !== 1) {
    return [
      diagnostic(
        forms === 0 ? "MA201" : "MA202",
        at,
        forms === 0
          ? `step '${step.id}': the rollback says neither an action, \`inverse: true\` nor manual instructions`
          : `step '${step.id}': a rollback is one of an action, \`inverse: true\` or manual instructions, not several`,
      ),
    ];
  }
  if (rollback.manual !== undefined && rollback.level !== 2) {
    return [
      diagnostic(
        "MA202",
        at,
        `step '${step.id}': manual rollback instructions need \`level: 2\` (a human does them)`,
      ),
    ];
  }
  if (rollback.manual === undefined && rollback.level === 2) {
    return [
      diagnostic(
        "MA202",
        [...at, "level"],
        `step '${step.id}': level 2 is for manual rollbacks; write the instructions in \`manual\`, or use level 0 or 1`,
      ),
    ];
  }
  if (rollback.params !== undefined && rollback.action === undefined) {
    return [
      diagnostic("MA202", [...at, "params"], `step '${step.id}': rollback params need a rollback action`),
    ];
  }
  const rules = catalog.get(step.action);
  if (rollback.inverse && rules && !rules.hasInverse(step.params ?? {})) {
    return [
      diagnostic("MA203", [...at, "inverse"], `step '${step.id}': ${step.action} has no automatic inverse`),
    ];
  }
  return [];
}

/** Checkpoints name existing phases (MA204) and have ids of their own (MA101). */
export function checkCheckpoints(blueprint: Blueprint): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const phases = new Set(blueprint.phases.map((p) => p.id));
  const seen = new Set<string>();
  blueprint.rollback_strategy?.checkpoints?.forEach((cp, i) => {
    const path = ["blueprint", "rollback_strategy", "checkpoints", i];
    if (seen.has(cp.id))
      diagnostics.push(diagnostic("MA101", [...path, "id"], `duplicate checkpoint id '${cp.id}'`));
    seen.add(cp.id);
    if (!phases.has(cp.after_phase)) {
      diagnostics.push(
        diagnostic(
          "MA204",
          [...path, "after_phase"],
          `checkpoint '${cp.id}': no phase has the id '${cp.after_phase}'`,
        ),
      );
    }
  });
  return diagnostics;
}
