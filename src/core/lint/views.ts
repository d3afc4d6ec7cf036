import type { StepRef } from "../blueprint/step-index.js";
import { type Diagnostic, type DocPath, diagnostic } from "../diagnostics/diagnostic.js";
import { type LintContext, qualified } from "./lint-context.js";
import { tableLabel } from "./table-size.js";

/**
 * MA606: the views that read a table (or one column of it) that a step drops or changes, leaving
 * out the views the blueprint itself replaces or drops. Needs discovery: without it, nothing.
 *
 * @example viewsInTheWay(ref, path, { schema: undefined, name: "users" }, "email", "drops", context)
 */
export function viewsInTheWay(
  ref: StepRef,
  path: DocPath,
  table: { schema: string | undefined; name: string },
  column: string | undefined,
  verb: string,
  context: LintContext,
): Diagnostic[] {
  if (!context.facts) return [];
  const schema = table.schema ?? "public";
  const views = context.facts
    .viewsReading(schema, table.name, column)
    .filter((v) => !context.handledViews.has(qualified(v.schema, v.name)));
  if (views.length === 0) return [];
  const names = views.map(
    (v) => `${v.materialized ? "materialized view " : ""}${tableLabel(v.schema, v.name)}`,
  );
  const what = column ? `${tableLabel(schema, table.name)}.${column}` : tableLabel(schema, table.name);
  return [
    diagnostic(
      "MA606",
      path,
      `step '${ref.step.id}' ${verb} ${what}, which ${names.length === 1 ? "the view" : "the views"} ${names.join(", ")} ${names.length === 1 ? "reads" : "read"}: replace or drop ${names.length === 1 ? "it" : "them"} in an earlier step`,
    ),
  ];
}
