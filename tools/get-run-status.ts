import { z } from "zod";
import { outcomeOf, outcomeText, RunOutcome } from "./run-flow.js";
import { defineTool, need } from "./tool.js";

const RunListed = z.object({
  run_id: z.string(),
  blueprint_id: z.string(),
  status: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});

/** One run as it stands, or every run. */
export const getRunStatus = defineTool({
  name: "get_run_status",
  title: "Run status",
  description:
    "With run_id: the run's status, each step's state and attempts, what it waits for (approvals, " +
    "a rollback confirmation) and what to do next. Without: every run the server's state holds, " +
    "newest first. Read-only.",
  input: z.strictObject({ run_id: z.string().optional().describe("The run; omit to list the runs") }),
  output: z.object({
    run: RunOutcome.nullable().describe("The run asked for"),
    runs: z.array(RunListed).nullable().describe("Every run, when no run_id was given"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  text: (out) =>
    out.run
      ? outcomeText(out.run)
      : out.runs?.length
        ? out.runs.map((r) => `${r.run_id} ${r.status} (${r.blueprint_id}, ${r.updated_at})`).join("\n")
        : "no runs yet",
  async handler(input, services) {
    const runs = need(services.runs, "get_run_status", "the run service");
    if (input.run_id !== undefined) return { run: outcomeOf(await runs.view(input.run_id)), runs: null };
    const listed = await runs.list();
    return {
      run: null,
      runs: listed.map((r) => ({
        run_id: r.id,
        blueprint_id: r.blueprint_id,
        status: r.status,
        created_at: r.created_at,
        updated_at: r.updated_at,
      })),
    };
  },
});
