import { z } from "zod";
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
    "can raise a risk, never lower it.",
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
    discovered: z.array(z.string()).describe("Components whose discovery the validation used"),
    discovery_failures: z.array(z.object({ component: z.string(), message: z.string() })),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, services) {
    const { check, discovered, failures } = await checkWithSession(input.blueprint, services);
    const analysis = check.analysis;
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
      discovered,
      discovery_failures: failures,
    };
  },
});
