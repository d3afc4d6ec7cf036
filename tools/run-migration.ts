import { z } from "zod";
import { normalizeHash } from "../src/services/blueprint-shelf.js";
import { checkWithSession, shownBlueprint } from "./blueprint-check.js";
import { carryOn, outcomeText, RunOutcome } from "./run-flow.js";
import { defineTool, need, ToolInputError } from "./tool.js";

/** Runs a blueprint that was shown valid, by its content hash; or carries a run on. */
export const runMigration = defineTool({
  name: "run_migration",
  title: "Run a migration",
  description:
    "Runs a blueprint that plan_migration or validate_blueprint showed valid, named by its " +
    "blueprint_hash (so exactly what was shown runs), or carries on a run that waits (run_id). The " +
    "blueprint is validated again against the system as it is now. The run goes phase by phase with " +
    "checkpoints and health checks, and rolls back automatically on a failure. Steps whose risk is " +
    "above the threshold need a person: where the client can ask them, the server asks them directly; " +
    "otherwise the run stops and waits, and only the person can approve (approve_step with the step's " +
    "approval code, which they see in the server's log). Returns the run's status, its steps, what it waits for " +
    "and what to do next. Progress is reported while it runs. This changes the system: run it only " +
    "when the person has asked for it.",
  input: z
    .strictObject({
      blueprint_hash: z.string().optional().describe("Start a new run of this shown-valid blueprint"),
      run_id: z.string().optional().describe("Carry on this run (after an approval or a confirmation)"),
    })
    .refine((v) => (v.blueprint_hash === undefined) !== (v.run_id === undefined), {
      message: "give either blueprint_hash (a new run) or run_id (carry a run on), not both",
    }),
  output: RunOutcome,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  text: outcomeText,
  async handler(input, services) {
    const runs = need(services.runs, "run_migration", "the run service");
    if (input.run_id !== undefined) {
      await runs.view(input.run_id);
      return carryOn(runs, input.run_id, services.call);
    }
    const hash = normalizeHash(input.blueprint_hash ?? "");
    const blueprint = await shownBlueprint(hash, services);
    if (!blueprint) {
      throw new ToolInputError(
        `no blueprint with hash ${hash} was shown valid here: call plan_migration or validate_blueprint ` +
          "first, show the result to the person, and pass the blueprint_hash it returned",
      );
    }
    // The system may have changed since the blueprint was shown: validate against it as it is now.
    services.system.refresh();
    const { check } = await checkWithSession({ blueprint }, services);
    if (!check.valid) {
      const errors = check.diagnostics.filter((d) => d.severity === "error");
      throw new ToolInputError(
        `the blueprint is no longer valid against the system as it is now:\n${errors
          .map((d) => `${d.code}: ${d.message}`)
          .join("\n")}\nplan again (plan_migration) or fix it and validate it again`,
      );
    }
    const run = await runs.create(blueprint);
    return carryOn(runs, run.id, services.call);
  },
});
