import type { Component } from "../blueprint/schema.js";
import type { StepRef } from "../blueprint/step-index.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { lintAction } from "./lint-actions.js";
import { LintParams, type LintStep, lintContext } from "./lint-context.js";
import { lintSql } from "./lint-sql.js";
import { schemaFacts } from "./schema-facts.js";
import { statementOps } from "./sql-statements.js";
import { sqlStatements } from "./sql-tokens.js";

/**
 * The zero-downtime lint (DESIGN.md §5, MA6xx, and MA505 for names that do not exist) over every
 * `postgres.*` step. The raw-SQL patterns run always; the rules that need sizes, columns or views
 * run when a discovery of the step's component is at hand (`validate --discover`). Pure.
 */
export function lintBlueprint(
  steps: readonly StepRef[],
  components: ReadonlyMap<string, Component>,
  discovery: ReadonlyMap<string, unknown> | undefined,
): Diagnostic[] {
  const byComponent = new Map<string, StepRef[]>();
  for (const ref of steps) {
    if (!ref.step.action.startsWith("postgres.")) continue;
    const kind = components.get(ref.step.component)?.kind;
    if (kind !== undefined && kind !== "postgres") continue; // MA504 already says so
    const list = byComponent.get(ref.step.component) ?? [];
    list.push(ref);
    byComponent.set(ref.step.component, list);
  }
  const out: Diagnostic[] = [];
  for (const [component, refs] of byComponent) {
    const facts = schemaFacts(discovery?.get(component));
    const lintSteps: LintStep[] = [];
    for (const ref of refs) {
      const action = ref.step.action.slice("postgres.".length);
      // Without a discovery only raw SQL has anything to check: the other steps cost nothing.
      if (!facts && action !== "sql") continue;
      const parsed = LintParams.safeParse(ref.step.params ?? {});
      if (!parsed.success) continue; // MA503 reports the params
      const text = action === "sql" ? parsed.data.sql : undefined;
      const statements = text === undefined ? undefined : sqlStatements(text);
      lintSteps.push({
        ref,
        action,
        params: parsed.data,
        ...(statements ? { sql: { statements, ops: statements.flatMap(statementOps) } } : {}),
      });
    }
    const context = lintContext(lintSteps, facts);
    for (const step of lintSteps) {
      if (step.sql) out.push(...lintSql(step.ref, step.sql.ops, context));
      else if (step.action !== "sql") out.push(...lintAction(step.ref, step.action, step.params, context));
    }
  }
  return out;
}
