import { z } from "zod";
import { explainBlueprint } from "../src/core/explain.js";
import { blueprintInput, checkWithSession, DiagnosticShape, diagnosticOut } from "./blueprint-check.js";
import { defineTool, ToolInputError } from "./tool.js";

const Factors = z.object({
  complexity: z.number(),
  blast_radius: z.number(),
  reversibility_difficulty: z.number(),
  data_sensitivity: z.number(),
});

const Step = z.object({
  id: z.string(),
  name: z.string(),
  phase: z.string(),
  action: z.string(),
  component: z.string(),
  factors: Factors.describe(
    "The risk factors used (derived from the catalogue and discovery, raised by the blueprint's)",
  ),
  risk: z
    .number()
    .describe("0.3·complexity + 0.3·blast_radius + 0.2·reversibility_difficulty + 0.2·data_sensitivity"),
  risk_from_catalog: z
    .boolean()
    .describe("False when the action is unknown and conservative defaults were used"),
  needs_approval: z.boolean(),
  rollback: z
    .looseObject({ kind: z.enum(["action", "inverse", "manual"]), level: z.number() })
    .nullable()
    .describe("How the step is undone: a rollback action, the catalogue's inverse, or manual instructions"),
  group: z.number().describe("1-based parallel group inside its phase"),
  start_ms: z.number().describe("Planned start, from the run's start"),
  estimated_duration: z.string().nullable(),
  downtime: z.string().nullable(),
  on_critical_path: z.boolean(),
});

const RollbackSummary = z.object({
  target: z.string().describe("The step or checkpoint the plan rolls back from or to"),
  steps: z.array(z.string()).describe("Steps undone, in undo order"),
});

/** The core's explanation of a sound blueprint: risk table, schedule, critical path, rollback plans. */
export const explainBlueprintTool = defineTool({
  name: "explain_blueprint",
  title: "Explain a blueprint",
  description:
    "Explains a valid blueprint: every step in run order with its risk factors, composite risk, whether " +
    "it needs approval, its rollback and its parallel group; the phases in run order with their groups " +
    "and durations; the critical path (steps, total and downtime in ms); and the rollback plans " +
    "(cascading from the first and from the riskiest step, point-in-time to each checkpoint, and the " +
    "steps that can be undone alone). Fails with the errors when the blueprint is not valid: call " +
    "validate_blueprint to see every diagnostic. Warnings come back beside the explanation.",
  input: blueprintInput,
  output: z.object({
    blueprint: z.object({ id: z.string(), name: z.string(), version: z.string() }),
    approval_threshold: z.number().describe("Steps with a risk above it need approval"),
    rollback_strategy: z.string(),
    steps: z.array(Step).describe("Steps in the order they run"),
    phases: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        pattern: z.string().nullable(),
        groups: z.array(z.array(z.string())).describe("Step ids by parallel group"),
        start_ms: z.number(),
        length_ms: z.number(),
      }),
    ),
    critical_path: z.object({ steps: z.array(z.string()), total_ms: z.number(), downtime_ms: z.number() }),
    rollback_plans: z.object({
      cascading: z.object({ first: RollbackSummary.nullable(), riskiest: RollbackSummary.nullable() }),
      point_in_time: z.array(RollbackSummary).describe("One per checkpoint"),
      selective_alone: z.array(z.string()).describe("Steps nothing depends on: each can be undone alone"),
    }),
    warnings: z.array(DiagnosticShape).describe("The blueprint's warnings and notes"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, services) {
    const { check } = await checkWithSession(input.blueprint, services);
    const explanation = check.valid && check.analysis ? explainBlueprint(check.analysis) : undefined;
    if (!explanation) {
      const errors = check.diagnostics.filter((d) => d.severity === "error");
      const listed = errors.map((d) => {
        const at = d.line === undefined ? "" : ` (line ${d.line})`;
        return `${d.code}${at}: ${d.message}`;
      });
      throw new ToolInputError(
        `the blueprint is not valid, so it cannot be explained; fix these errors (validate_blueprint gives hints):\n${listed.join("\n")}`,
      );
    }
    return {
      ...explanation,
      warnings: check.diagnostics.filter((d) => d.severity !== "error").map(diagnosticOut),
    };
  },
});
