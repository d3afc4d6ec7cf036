import { z } from "zod";
import { saveBlueprintYaml } from "../src/core/blueprint/save.js";
import { contentHash } from "../src/core/risk/approval.js";
import { checkWithSession, DiagnosticShape, diagnosticOut } from "./blueprint-check.js";
import { defineTool, need } from "./tool.js";

/** A plan from a sentence: the server's planner drafts, the core validates, a valid draft is kept by hash. */
export const planMigration = defineTool({
  name: "plan_migration",
  title: "Plan a migration",
  description:
    'Plans a zero-downtime migration from a request in plain words ("rename users.email to ' +
    'email_address", "make orders.total_cents a bigint") with the server\'s planner, against the ' +
    "discovered system, and validates the draft with the core (risk and approvals recomputed; the " +
    "planner's own claims are not trusted). Returns the blueprint as YAML with its blueprint_hash, the " +
    "steps that will need a person's approval, the diagnostics and the planner's notes, or the " +
    "planner's refusal with its reason. Changes nothing: show the blueprint to the person, and run it " +
    "with run_migration and the hash only once they agree.",
  input: z.strictObject({
    request: z.string().min(3).max(4000).describe("What to change, in plain words"),
  }),
  output: z.object({
    outcome: z.enum(["blueprint", "refusal"]),
    planner: z.string(),
    reason: z.string().nullable().describe("Why the planner refused"),
    understands: z
      .array(z.string())
      .nullable()
      .describe("For a request it did not understand: what the planner does understand"),
    valid: z.boolean().describe("The core's verdict on the draft (false for a refusal)"),
    blueprint_hash: z.string().nullable().describe("Set when the blueprint is valid: run_migration takes it"),
    blueprint_yaml: z.string().nullable(),
    summary: z
      .object({
        steps: z.number(),
        needs_approval: z.array(z.string()),
        max_risk: z.number().nullable(),
      })
      .nullable(),
    diagnostics: z.array(DiagnosticShape),
    notes: z.array(z.string()),
    elapsed_ms: z.number(),
    usage: z
      .object({
        model: z.string(),
        input_tokens: z.number(),
        output_tokens: z.number(),
        cost_usd: z.number().nullable(),
      })
      .nullable(),
  }),
  // Reads the system and drafts: nothing is changed. A model planner reaches its provider's API
  // (the open world), and may answer differently each time.
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  annotationsFor: (services) => {
    const offline = services.planner?.name === "offline";
    return { readOnlyHint: true, destructiveHint: false, idempotentHint: offline, openWorldHint: !offline };
  },
  text: (out) =>
    out.outcome === "refusal"
      ? [
          `refused (${out.planner}): ${out.reason}`,
          ...(out.understands ?? []).map((line) => `  understands: ${line}`),
        ].join("\n")
      : [
          `${out.valid ? "valid" : "NOT valid"} blueprint from ${out.planner}: ${out.summary?.steps ?? 0} steps, highest risk ${out.summary?.max_risk ?? "-"}`,
          out.summary?.needs_approval.length
            ? `needs a person's approval: ${out.summary.needs_approval.join(", ")}`
            : "no step needs approval",
          out.blueprint_hash ? `blueprint_hash: ${out.blueprint_hash}` : "",
          ...out.diagnostics
            .filter((d) => d.severity !== "info")
            .map((d) => `${d.severity} ${d.code} at ${d.path}: ${d.message}`),
          ...out.notes.map((n) => `note: ${n}`),
          "",
          out.blueprint_yaml ?? "",
        ]
          .filter((line, i) => line !== "" || i > 0)
          .join("\n"),
  async handler(input, services) {
    const planner = need(services.planner, "plan_migration", "a planner");
    // The server's approval threshold goes into the blueprint, where the executor reads it.
    const ceiling = services.approvalCeiling;
    const result = await planner.plan({
      request: input.request,
      system: services.system,
      catalog: services.catalog,
      ...(ceiling !== undefined ? { constraints: { require_approval_above: ceiling } } : {}),
    });
    const usage = result.usage
      ? {
          model: result.usage.model,
          input_tokens: result.usage.input_tokens,
          output_tokens: result.usage.output_tokens,
          cost_usd: result.usage.cost_usd,
        }
      : null;
    if (result.kind === "refusal") {
      return {
        outcome: "refusal" as const,
        planner: planner.name,
        reason: result.reason,
        understands: result.understands ?? null,
        valid: false,
        blueprint_hash: null,
        blueprint_yaml: null,
        summary: null,
        diagnostics: [],
        notes: [],
        elapsed_ms: result.elapsed_ms,
        usage,
      };
    }
    // The core's verdict, recomputed with the discovery: the planner's own is not used.
    const { check } = await checkWithSession(saveBlueprintYaml(result.blueprint), services);
    const analysis = check.analysis;
    const blueprint = check.loaded?.blueprint ?? result.blueprint;
    const hash =
      check.valid && check.loaded
        ? (services.shelf?.keep(check.loaded.blueprint, "plan_migration").hash ?? contentHash(blueprint))
        : null;
    const risks = analysis?.steps.map((ref) => analysis.risks[ref.index]?.composite ?? 0) ?? [];
    return {
      outcome: "blueprint" as const,
      planner: planner.name,
      reason: null,
      understands: null,
      valid: check.valid,
      blueprint_hash: hash,
      blueprint_yaml: saveBlueprintYaml(blueprint),
      summary: {
        steps: analysis?.steps.length ?? 0,
        needs_approval:
          analysis?.steps.filter((ref) => analysis.approvals[ref.index]).map((ref) => ref.step.id) ?? [],
        max_risk: risks.length ? Math.max(...risks) : null,
      },
      diagnostics: check.diagnostics.map(diagnosticOut),
      notes: result.notes,
      elapsed_ms: result.elapsed_ms,
      usage,
    };
  },
});
