import { z } from "zod";
import { contentHash } from "../src/core/risk/approval.js";
import { blueprintInput, checkWithSession, DiagnosticShape, diagnosticOut } from "./blueprint-check.js";
import { defineTool } from "./tool.js";

/** The core's verdict on a blueprint, against the discovered system. */
export const validateBlueprintTool = defineTool({
  name: "validate_blueprint",
  title: "Validate a blueprint",
  description:
    "Checks a migration blueprint (YAML or JSON text, or an object) the way the executor will before it " +
    "runs: schema, step ids, dependency graph (cycles, dangling edges), phase order, rollbacks, actions " +
    "and their params, risk and approvals, constraints, and the zero-downtime rules against the " +
    "discovered tables of the components this session knows. Returns valid, every diagnostic (code, " +
    "severity, path, line, message, hint) and a summary: step count, the steps that will need a human " +
    "approval, and the highest risk. Fix every error before submitting; warnings are advice. Risk and " +
    "approvals are computed here from the catalogue and the discovery: values written in the blueprint " +
    "can raise a risk, never lower it. A valid blueprint comes back with its blueprint_hash: where the " +
    "server runs migrations, run_migration runs exactly that content, by that hash.",
  input: blueprintInput,
  output: z.object({
    valid: z.boolean().describe("True when there is no error (warnings and notes may remain)"),
    diagnostics: z.array(DiagnosticShape).describe("Errors first, then by line"),
    summary: z.object({
      steps: z.number().describe("How many steps the blueprint has"),
      needs_approval: z.array(z.string()).describe("Ids of the steps a human must approve before they run"),
      max_risk: z
        .number()
        .nullable()
        .describe("The highest composite risk of a step (0–1); null when not computed"),
    }),
    blueprint_hash: z
      .string()
      .nullable()
      .describe(
        "sha256 of the blueprint's content when it is valid (run_migration takes it); null otherwise",
      ),
    discovered: z.array(z.string()).describe("Components whose discovery the validation used"),
    discovery_failures: z.array(z.object({ component: z.string(), message: z.string() })),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  text: (out) =>
    [
      out.valid
        ? `valid: ${out.summary.steps} steps, highest risk ${out.summary.max_risk ?? "-"}; blueprint_hash ${out.blueprint_hash}`
        : `not valid: ${out.diagnostics.filter((d) => d.severity === "error").length} error(s)`,
      out.summary.needs_approval.length
        ? `needs a person's approval: ${out.summary.needs_approval.join(", ")}`
        : "no step needs approval",
      ...out.diagnostics.map(
        (d) =>
          `${d.severity} ${d.code}${d.line ? ` (line ${d.line})` : ""} at ${d.path}: ${d.message}${d.hint ? ` — ${d.hint}` : ""}`,
      ),
      ...out.discovery_failures.map((f) => `could not discover ${f.component}: ${f.message}`),
    ].join("\n"),
  async handler(input, services) {
    const { check, discovered, failures } = await checkWithSession(input.blueprint, services);
    const analysis = check.analysis;
    const blueprint = check.valid ? check.loaded?.blueprint : undefined;
    const hash = blueprint
      ? (services.shelf?.keep(blueprint, "validate_blueprint").hash ?? contentHash(blueprint))
      : null;
    const risks = analysis?.steps.map((ref) => analysis.risks[ref.index]?.composite ?? 0) ?? [];
    return {
      valid: check.valid,
      diagnostics: check.diagnostics.map(diagnosticOut),
      summary: {
        steps: analysis?.steps.length ?? 0,
        needs_approval:
          analysis?.steps.filter((ref) => analysis.approvals[ref.index]).map((ref) => ref.step.id) ?? [],
        max_risk: risks.length ? Math.max(...risks) : null,
      },
      blueprint_hash: hash,
      discovered,
      discovery_failures: failures,
    };
  },
});
