import { closest, distance } from "fastest-levenshtein";
import type { Component } from "../blueprint/schema.js";
import type { StepRef } from "../blueprint/step-index.js";
import { ACTION_NAMES } from "../catalog/action-names.js";
import { type ActionCatalog, adapterOf } from "../catalog/catalog.js";
import { type Diagnostic, type DocPath, diagnostic } from "../diagnostics/diagnostic.js";

/** Adapters used by the blueprint but missing from the build: where first used, and how often. */
export type MissingAdapters = Map<string, { path: DocPath; uses: number }>;

/**
 * Checks a step's action (and its rollback action) against the catalogue: known action (MA501),
 * valid params (MA503) and an adapter that matches the component's kind (MA504). Uses of an
 * adapter missing from the build are tallied in `missing`, for one MA502 per adapter.
 */
export function checkStepActions(
  ref: StepRef,
  catalog: ActionCatalog,
  components: ReadonlyMap<string, Component>,
  missing: MissingAdapters,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const { step, path } = ref;
  checkAction(step.action, step.params, [...path, "action"], [...path, "params"], `step '${step.id}'`);
  if (step.rollback?.action !== undefined) {
    checkAction(
      step.rollback.action,
      step.rollback.params,
      [...path, "rollback", "action"],
      [...path, "rollback", "params"],
      `rollback of step '${step.id}'`,
    );
  }
  const component = components.get(step.component);
  if (component && adapterOf(step.action) !== component.kind) {
    diagnostics.push(
      diagnostic(
        "MA504",
        [...path, "action"],
        `step '${step.id}': action ${step.action} is a ${adapterOf(step.action)} action, but component '${component.id}' is of kind ${component.kind}`,
      ),
    );
  }
  return diagnostics;

  function checkAction(
    action: string,
    params: unknown,
    actionPath: DocPath,
    paramsPath: DocPath,
    what: string,
  ) {
    const rules = catalog.get(action);
    if (!rules) {
      if (!ACTION_NAMES.has(action)) {
        diagnostics.push(unknownAction(action, actionPath, what));
        return;
      }
      // A catalogue action this build does not have yet: tallied per adapter, or per action when
      // the adapter is here but the action is not.
      const key = catalog.hasAdapter(adapterOf(action)) ? action : adapterOf(action);
      const seen = missing.get(key);
      if (seen) seen.uses++;
      else missing.set(key, { path: actionPath, uses: 1 });
      return;
    }
    const parsed = rules.params.safeParse(params ?? {});
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      diagnostics.push(
        diagnostic(
          "MA503",
          [...paramsPath, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
          `${what}: ${action} params${issue.path.length ? `.${issue.path.join(".")}` : ""}: ${issue.message}`,
        ),
      );
    }
  }
}

/**
 * One MA502 per adapter (or, for an adapter this build has, per action) missing from the build,
 * at its first use, with the number of uses.
 */
export function missingAdapterDiagnostics(missing: MissingAdapters): Diagnostic[] {
  return [...missing].map(([name, { path, uses }]) =>
    diagnostic(
      "MA502",
      path,
      `${name.includes(".") ? "action" : "adapter"} '${name}' is not available in this build (${uses === 1 ? "1 use" : `${uses} steps and rollbacks use it`}): params are not checked and risk is set conservatively`,
    ),
  );
}

function unknownAction(action: string, path: DocPath, what: string): Diagnostic {
  const near = closest(action, [...ACTION_NAMES]);
  const suggestion = distance(action, near) <= 3 ? ` (did you mean '${near}'?)` : "";
  return diagnostic("MA501", path, `${what}: no action '${action}' in the catalogue${suggestion}`);
}
