import type { Adapter } from "../adapters/types.js";
import type { Blueprint } from "../core/blueprint/schema.js";
import { createCatalog } from "../core/catalog/catalog.js";
import { type BlueprintAnalysis, validateBlueprint } from "../core/validate.js";

/** A run that must not start (or go on): the blueprint is invalid, or this build cannot run it. */
export class RunRefused extends Error {
  override readonly name = "RunRefused";
}

/**
 * Checks that a blueprint can run here, before anything is recorded or touched: valid (the core
 * has the last word, whatever the blueprint's author or a planner said), and every action of its
 * steps and rollbacks available in this build's adapters.
 */
export function assertRunnable(
  blueprint: Blueprint,
  adapters: ReadonlyArray<Adapter<unknown>>,
): BlueprintAnalysis {
  const catalog = createCatalog(adapters.flatMap((a) => a.actions));
  const validation = validateBlueprint(blueprint, { catalog });
  const errors = validation.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) {
    const first = errors[0];
    throw new RunRefused(
      `the blueprint is not valid (${errors.length} error${errors.length === 1 ? "" : "s"}; first: ${first?.code} ${first?.message}); migration-architect validate shows them all`,
    );
  }
  const missing = new Set<string>();
  for (const ref of validation.analysis.steps) {
    if (!catalog.get(ref.step.action)) missing.add(`${ref.step.action} (step ${ref.step.id})`);
    const rollback = ref.step.rollback?.action;
    if (rollback && !catalog.get(rollback)) missing.add(`${rollback} (rollback of ${ref.step.id})`);
  }
  if (missing.size) {
    throw new RunRefused(
      `this build cannot run ${[...missing].join(", ")}: the action is part of the catalogue but not built yet. Nothing was touched.`,
    );
  }
  return validation.analysis;
}
