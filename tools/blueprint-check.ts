import { z } from "zod";
import { redactConnection } from "../src/adapters/connection-string.js";
import { loadBlueprintText } from "../src/core/blueprint/load.js";
import type { Blueprint } from "../src/core/blueprint/schema.js";
import { type BlueprintCheck, checkBlueprintText } from "../src/core/check-blueprint.js";
import { type Diagnostic, formatPath } from "../src/core/diagnostics/diagnostic.js";
import { normalizeHash } from "../src/services/blueprint-shelf.js";
import type { ToolServices } from "./tool.js";

/** The input of the tools that read a blueprint: its text, or the parsed document. */
export const blueprintInput = z.strictObject({
  blueprint: z
    .union([
      z.string().min(1).describe("The blueprint as YAML or JSON text, with the top-level key `blueprint`"),
      z
        .record(z.string(), z.unknown())
        .describe("The blueprint as an object: either { blueprint: { … } } or the inner object itself"),
    ])
    .describe("The blueprint to check"),
});

/** A core diagnostic as the tools return it (see `diagnosticOut`). */
export const DiagnosticShape = z.object({
  code: z
    .string()
    .describe(
      "Stable code: MA0xx format, MA1xx graph, MA2xx rollback, MA3xx constraints, MA4xx risk, MA5xx actions, MA6xx zero-downtime",
    ),
  severity: z.enum(["error", "warning", "info"]),
  path: z.string().describe("Where in the blueprint, e.g. blueprint.phases[0].steps[2].rollback"),
  message: z.string(),
  hint: z.string().describe("How to fix it"),
  line: z.number().nullable().describe("1-based line in the text given, when known"),
  column: z.number().nullable(),
});

/** A diagnostic as the tools return it: the path as text, line and column null when unknown. */
export function diagnosticOut(d: Diagnostic): z.infer<typeof DiagnosticShape> {
  return {
    code: d.code,
    severity: d.severity,
    path: formatPath(d.path),
    message: d.message,
    hint: d.hint,
    line: d.line ?? null,
    column: d.column ?? null,
  };
}

export interface SessionCheck {
  check: BlueprintCheck;
  /** The components whose discovery the validation used. */
  discovered: string[];
  /** Components the session has but could not discover (redacted messages). */
  failures: { component: string; message: string }[];
}

/**
 * Validates a blueprint with the catalogue and the discovery of those of its components that the
 * session has (same id and kind), so that risk and the zero-downtime rules see the real tables.
 * Components the session does not know are validated without discovery.
 */
export async function checkWithSession(
  blueprint: string | Record<string, unknown>,
  { system, catalog, approvalCeiling }: ToolServices,
): Promise<SessionCheck> {
  const text = typeof blueprint === "string" ? blueprint : JSON.stringify(wrap(blueprint));
  const placed = (check: BlueprintCheck) => (typeof blueprint === "string" ? check : unplaced(check));
  const loaded = loadBlueprintText(text);
  if (!loaded.ok) {
    return { check: placed({ diagnostics: loaded.diagnostics, valid: false }), discovered: [], failures: [] };
  }

  const discovery = new Map<string, unknown>();
  const failures: { component: string; message: string }[] = [];
  const { source_state, target_state } = loaded.value.blueprint;
  for (const component of [...source_state.components, ...target_state.components]) {
    const known = system.components.find((c) => c.id === component.id && c.kind === component.kind);
    if (!known || discovery.has(known.id) || failures.some((f) => f.component === known.id)) continue;
    try {
      discovery.set(known.id, await system.discover(known.id));
    } catch (error) {
      failures.push({
        component: known.id,
        message: redactConnection((error as Error)?.message ?? String(error)),
      });
    }
  }
  const check = checkBlueprintText(text, { catalog, discovery, approvalCeiling });
  return {
    check: placed(check),
    discovered: [...discovery.keys()],
    failures,
  };
}

/**
 * A check without lines and columns: for a blueprint given as an object they would point into
 * the JSON text made here, which the caller never saw; the path says where.
 */
function unplaced(check: BlueprintCheck): BlueprintCheck {
  return { ...check, diagnostics: check.diagnostics.map(({ line: _l, column: _c, ...d }) => d) };
}

/** `{ blueprint: {…} }` as it is (extra keys are the loader's to report); the inner object wrapped. */
function wrap(value: Record<string, unknown>): Record<string, unknown> {
  return "blueprint" in value ? value : { blueprint: value };
}

/**
 * The blueprint with this content hash (`sha256:…` or the bare hex) that this surface showed valid,
 * or that a run stored; undefined when there is none.
 */
export async function shownBlueprint(hash: string, services: ToolServices): Promise<Blueprint | undefined> {
  const key = normalizeHash(hash);
  return services.shelf?.get(key)?.blueprint ?? (await services.runs?.storedBlueprint(key));
}
