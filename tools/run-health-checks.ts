import { z } from "zod";
import { redactText } from "../src/adapters/redact.js";
import type { Blueprint } from "../src/core/blueprint/schema.js";
import { normalizeHash } from "../src/services/blueprint-shelf.js";
import { blueprintInput, checkWithSession, shownBlueprint } from "./blueprint-check.js";
import { defineTool, need, ToolInputError, type ToolServices } from "./tool.js";

/** A blueprint's health checks of one stage, run now against the live components. */
export const runHealthChecks = defineTool({
  name: "run_health_checks",
  title: "Run health checks now",
  description:
    "Runs a blueprint's health checks of one stage (pre by default: is the system fit to start?) now, " +
    "against the live components, outside any run: connectivity, functional queries, data integrity, " +
    "performance against a baseline, capacity. Read-only: the checks' queries run in read-only " +
    "transactions and nothing is stored. Name the blueprint by blueprint_hash or give it.",
  input: z
    .strictObject({
      blueprint_hash: z.string().optional().describe("A blueprint shown valid here"),
      blueprint: blueprintInput.shape.blueprint.optional(),
      stage: z.enum(["pre", "intra", "post"]).default("pre").describe("Which checks: pre, intra or post"),
    })
    .refine((v) => (v.blueprint_hash === undefined) !== (v.blueprint === undefined), {
      message: "give either blueprint_hash or blueprint",
    }),
  output: z.object({
    stage: z.enum(["pre", "intra", "post"]),
    passed: z.boolean().describe("True when every check passed (and there was at least one)"),
    results: z.array(
      z.object({
        check_id: z.string(),
        type: z.string(),
        component: z.string(),
        status: z.string(),
        message: z.string(),
        figures: z.record(z.string(), z.unknown()),
        duration_ms: z.number(),
      }),
    ),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  text: (out) =>
    out.results.length
      ? out.results
          .map(
            (r) =>
              `${r.status === "pass" ? "✓" : "✗"} ${r.check_id} (${r.type}, ${r.component}): ${r.message}`,
          )
          .join("\n")
      : `the blueprint has no ${out.stage} health checks`,
  async handler(input, services) {
    const runs = need(services.runs, "run_health_checks", "the run service");
    const blueprint = await blueprintOf(input, services);
    const results = await runs.checkNow(blueprint, input.stage);
    return {
      stage: input.stage,
      passed: results.length > 0 && results.every((r) => r.status === "pass"),
      results: results.map((r) => ({
        check_id: r.check_id,
        type: r.type,
        component: r.component,
        status: r.status,
        message: redactText(r.message),
        figures: r.figures,
        duration_ms: r.duration_ms,
      })),
    };
  },
});

async function blueprintOf(
  input: { blueprint_hash?: string; blueprint?: string | Record<string, unknown> },
  services: ToolServices,
): Promise<Blueprint> {
  if (input.blueprint_hash !== undefined) {
    const found = await shownBlueprint(input.blueprint_hash, services);
    if (!found)
      throw new ToolInputError(
        `no blueprint with hash ${normalizeHash(input.blueprint_hash)} here: validate it first, or give it`,
      );
    return found;
  }
  const { check } = await checkWithSession(input.blueprint ?? "", services);
  if (!check.loaded) {
    throw new ToolInputError(
      `the blueprint cannot be read: ${check.diagnostics
        .filter((d) => d.severity === "error")
        .map((d) => `${d.code}: ${d.message}`)
        .join("; ")}`,
    );
  }
  return check.loaded.blueprint;
}
