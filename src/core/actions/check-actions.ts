import type { Component } from "../blueprint/schema.js";
import type { StepRef } from "../blueprint/step-index.js";
import { type ActionCatalog, adapterOf } from "../catalog/catalog.js";
import { type Diagnostic, type DocPath, diagnostic } from "../diagnostics/diagnostic.js";

/**
 * Checks a step's action (and its rollback action) against the catalogue: known action (MA501),
 * adapter in this build (MA502), valid params (MA503) and an adapter that matches the component's
 * kind (MA504).
 */
export function checkStepActions(
  ref: StepRef,
  catalog: ActionCatalog,
  components: ReadonlyMap<string, Component>,
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
      const adapter = adapterOf(action);
      diagnostics.push(
        catalog.hasAdapter(adapter)
          ? diagnostic("MA501", actionPath, `${what}: the ${adapter} adapter has no action '${action}'`)
          : diagnostic(
              "MA502",
              actionPath,
              `${what}: adapter '${adapter}' is not available in this build; params of ${action} are not checked and its risk is set conservatively`,
            ),
      );
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
