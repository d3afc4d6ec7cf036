import { z } from "zod";
import { reportMarkdown } from "../src/monitor/report.js";
import { defineTool, need } from "./tool.js";

const Figures = z.record(z.string(), z.unknown());

/** A run's report: timeline, steps and durations, health-check figures, approvals, rollbacks, incident. */
export const getReport = defineTool({
  name: "get_report",
  title: "Run report",
  description:
    "A run's report: the run (status, start, end, duration), every step with its state, attempts, " +
    "duration, figures and notes, every health-check result with its figures, the approvals (who, " +
    "when), the rollbacks and the incident report (whether the state was restored), and the timeline; " +
    "with the same report as Markdown. Read-only.",
  input: z.strictObject({ run_id: z.string().describe("The run whose report to give") }),
  output: z.object({
    run: z.object({
      id: z.string(),
      status: z.string(),
      blueprint_id: z.string(),
      blueprint_hash: z.string(),
      name: z.string(),
      started_at: z.string().nullable(),
      ended_at: z.string().nullable(),
      duration_ms: z.number().nullable(),
    }),
    steps: z.array(
      z.object({
        id: z.string(),
        phase: z.string(),
        action: z.string(),
        state: z.string(),
        attempts: z.number(),
        duration_ms: z.number().nullable(),
        figures: Figures,
        notes: z.array(z.string()),
        error: z.string().nullable(),
      }),
    ),
    health_checks: z.array(
      z.object({
        check_id: z.string(),
        stage: z.string(),
        phase: z.string().nullable(),
        status: z.string(),
        message: z.string(),
        figures: Figures,
        duration_ms: z.number(),
      }),
    ),
    approvals: z.array(z.object({ step_id: z.string(), approved_by: z.string(), approved_at: z.string() })),
    rollbacks: z.array(z.object({ at: z.string(), reason: z.string(), steps: z.array(z.string()) })),
    incidents: z.array(z.object({ at: z.string(), data: Figures })),
    timeline: z.array(
      z.object({
        seq: z.number(),
        at: z.string(),
        type: z.string(),
        phase_id: z.string().nullable(),
        step_id: z.string().nullable(),
        check_id: z.string().nullable(),
      }),
    ),
    markdown: z.string(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  text: (out) => out.markdown,
  async handler(input, services) {
    const runs = need(services.runs, "get_report", "the run service");
    const report = await runs.report(input.run_id);
    return {
      ...report,
      approvals: report.approvals.map(({ step_id, approved_by, approved_at }) => ({
        step_id,
        approved_by,
        approved_at,
      })),
      rollbacks: report.rollbacks.map(({ at, reason, steps }) => ({ at, reason, steps })),
      markdown: reportMarkdown(report),
    };
  },
});
