import { DEFAULTS } from "../../core/blueprint/effective.js";
import { blueprintJsonSchema } from "../../core/blueprint/json-schema.js";
import type { Blueprint, Component, Constraints } from "../../core/blueprint/schema.js";
import type { ActionCatalog } from "../../core/catalog/catalog.js";
import { checkBlueprintText } from "../../core/check-blueprint.js";
import { type Diagnostic, formatPath } from "../../core/diagnostics/diagnostic.js";
import type { BlueprintAnalysis } from "../../core/validate.js";

/** The tool a model calls to hand in its blueprint; the loop ends when the core accepts one. */
export const SUBMIT_TOOL_NAME = "submit_blueprint";

export const SUBMIT_TOOL_DESCRIPTION =
  "Submits the finished blueprint document ({ blueprint: { … } }). The core validates it against the " +
  "discovered system: graph, rollbacks, actions and params, constraints, zero-downtime lint, and it " +
  "recomputes risk and approvals. When it is not valid the result is an error listing every " +
  "diagnostic (code, path, message, hint): fix them and call submit_blueprint again. Call it once " +
  "the plan is complete; it is the only way to deliver a plan.";

/** The input schema of submit_blueprint: the blueprint document's JSON schema, an object at the top. */
export function submitInputSchema(): { type: "object"; [key: string]: unknown } {
  // `$schema` is left out: a tool's input schema is a bare schema object.
  const { $schema: _dialect, ...schema } = blueprintJsonSchema();
  if (schema.type !== "object") throw new Error("the blueprint document schema must be an object schema");
  return { ...schema, type: "object" };
}

/** What a submission is checked against, from the plan request and the session. */
export interface SubmissionContext {
  request: string;
  /** Constraints the blueprint must carry: they override the draft's. */
  constraints?: Constraints;
  catalog: ActionCatalog;
  /** Discovery by component id, for the risk rules and the zero-downtime lint. */
  discovery: ReadonlyMap<string, unknown>;
  /** The session's components: their kind and connection override what the draft wrote. */
  components: readonly Component[];
  /** The blueprint's `created_at`. */
  now: Date;
  /** Stamped into `metadata`: who planned it, with which model and prompt. */
  metadata: { planner: string; model: string; prompt_version: string };
}

export type Submission =
  | {
      accepted: true;
      blueprint: Blueprint;
      analysis: BlueprintAnalysis;
      diagnostics: Diagnostic[];
      notes: string[];
    }
  | {
      accepted: false;
      /** The draft as the core read it, when it got past the schema. */
      blueprint?: Blueprint;
      diagnostics: Diagnostic[];
      /** The tool result for the model: JSON text naming every diagnostic. */
      content: string;
    };

/**
 * Checks a submitted draft. Nothing the draft says about safety is trusted: the planner's own
 * fields (metadata, created_at, the required constraints, the components' connections) are
 * stamped over the draft's, then the core validates it with the discovery, which recomputes risk
 * and approvals from the catalogue whatever the draft claims.
 */
export function checkSubmission(input: unknown, context: SubmissionContext): Submission {
  const notes: string[] = [];
  const document = stamp(input, context, notes);
  const check = checkBlueprintText(JSON.stringify(document), {
    format: "json",
    catalog: context.catalog,
    discovery: context.discovery,
  });
  // The text is one JSON line: a line and column would mean nothing to the model.
  const diagnostics = check.diagnostics.map(({ line: _l, column: _c, ...d }) => d);
  if (check.valid && check.loaded && check.analysis) {
    const { analysis } = check;
    for (const ref of analysis.steps) {
      if (analysis.approvals[ref.index]) {
        notes.push(
          `step '${ref.step.id}' needs an approval before it runs (risk ${analysis.risks[ref.index]?.composite} > ${analysis.approvalThreshold})`,
        );
      }
    }
    return {
      accepted: true,
      blueprint: check.loaded.blueprint,
      analysis,
      diagnostics,
      notes: [...new Set(notes)],
    };
  }
  const errors = diagnostics.filter((d) => d.severity === "error");
  const content = JSON.stringify({
    valid: false,
    message: `The blueprint is not valid: ${errors.length} error(s). Fix every one and call ${SUBMIT_TOOL_NAME} again.`,
    diagnostics: diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      path: formatPath(d.path),
      message: d.message,
      hint: d.hint,
    })),
  });
  return { accepted: false, blueprint: check.loaded?.blueprint, diagnostics, content };
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The draft with the planner's fields written over it; a draft of the wrong shape passes as is. */
function stamp(input: unknown, context: SubmissionContext, notes: string[]): unknown {
  if (!isObject(input) || !isObject(input.blueprint)) return input;
  const blueprint: Json = { ...input.blueprint };
  blueprint.created_at = context.now.toISOString();
  if (typeof blueprint.request !== "string" || blueprint.request.trim() === "") {
    blueprint.request = context.request;
  }
  blueprint.metadata = { ...(isObject(blueprint.metadata) ? blueprint.metadata : {}), ...context.metadata };

  const constraints: Json = {
    ...(isObject(blueprint.constraints) ? blueprint.constraints : {}),
    ...context.constraints,
  };
  // A draft may make approval stricter, never looser than what it was asked for (or the default).
  const ceiling = context.constraints?.require_approval_above ?? DEFAULTS.requireApprovalAbove;
  const threshold = constraints.require_approval_above;
  if (typeof threshold === "number" && threshold > ceiling) {
    constraints.require_approval_above = ceiling;
    notes.push(`the draft raised require_approval_above to ${threshold}; ${ceiling} is kept`);
  }
  if (Object.keys(constraints).length > 0 || blueprint.constraints !== undefined) {
    blueprint.constraints = constraints;
  }

  for (const state of ["source_state", "target_state"] as const) {
    const value = blueprint[state];
    if (!isObject(value) || !Array.isArray(value.components)) continue;
    blueprint[state] = { ...value, components: value.components.map((c) => pinComponent(c, context, notes)) };
  }
  return { ...input, blueprint };
}

/** A component the session knows keeps the session's kind and connection, whatever the draft wrote. */
function pinComponent(component: unknown, context: SubmissionContext, notes: string[]): unknown {
  if (!isObject(component)) return component;
  const known = context.components.find((c) => c.id === component.id);
  if (!known) return component;
  if (component.kind !== known.kind || component.connection !== known.connection) {
    notes.push(`component '${known.id}': the draft's kind or connection was replaced by the session's`);
  }
  const pinned: Json = { ...component, kind: known.kind };
  if (known.connection === undefined) delete pinned.connection;
  else pinned.connection = known.connection;
  return pinned;
}
