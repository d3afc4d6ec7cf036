import type { Blueprint } from "../core/blueprint/schema.js";
import type {
  ApprovalRecord,
  HealthCheckRecord,
  RunEvent,
  RunRecord,
  StepStateRecord,
} from "../store/types.js";

/** A run's report as data: what `report RUN --json` prints and the Markdown is made from. */
export interface RunReport {
  run: {
    id: string;
    status: string;
    blueprint_id: string;
    blueprint_hash: string;
    name: string;
    started_at: string | null;
    ended_at: string | null;
    duration_ms: number | null;
  };
  steps: {
    id: string;
    phase: string;
    action: string;
    state: string;
    attempts: number;
    duration_ms: number | null;
    figures: Record<string, unknown>;
    notes: string[];
    error: string | null;
  }[];
  health_checks: {
    check_id: string;
    stage: string;
    phase: string | null;
    status: string;
    message: string;
    figures: Record<string, unknown>;
    duration_ms: number;
  }[];
  approvals: ApprovalRecord[];
  rollbacks: { at: string; reason: string; scope: unknown; steps: string[] }[];
  incidents: { at: string; data: Record<string, unknown> }[];
  timeline: {
    seq: number;
    at: string;
    type: string;
    phase_id: string | null;
    step_id: string | null;
    check_id: string | null;
  }[];
}

/** Builds the report of a run from what the store holds. Pure. */
export function buildReport(input: {
  run: RunRecord;
  blueprint: Blueprint;
  events: RunEvent[];
  steps: StepStateRecord[];
  checks: HealthCheckRecord[];
  approvals: ApprovalRecord[];
}): RunReport {
  const { run, blueprint, events } = input;
  const states = new Map(input.steps.map((s) => [s.step_id, s]));
  const started = events.find((e) => e.type === "run.running")?.at ?? null;
  const ended =
    [...events]
      .reverse()
      .find((e) =>
        ["run.completed", "run.failed", "run.rolled_back", "incident", "run.aborted"].includes(e.type),
      )?.at ?? null;
  return {
    run: {
      id: run.id,
      status: run.status,
      blueprint_id: run.blueprint_id,
      blueprint_hash: run.blueprint_hash,
      name: blueprint.name,
      started_at: started,
      ended_at: ended,
      duration_ms: started && ended ? Date.parse(ended) - Date.parse(started) : null,
    },
    steps: blueprint.phases.flatMap((phase) =>
      phase.steps.map((step) => {
        const s = states.get(step.id);
        const detail = (s?.detail ?? {}) as {
          duration_ms?: number;
          figures?: Record<string, unknown>;
          notes?: string[];
          error?: string;
        };
        return {
          id: step.id,
          phase: phase.id,
          action: step.action,
          state: s?.state ?? "pending",
          attempts: s?.attempts ?? 0,
          duration_ms:
            s?.started_at && s.finished_at
              ? Date.parse(s.finished_at) - Date.parse(s.started_at)
              : (detail.duration_ms ?? null),
          figures: detail.figures ?? {},
          notes: detail.notes ?? [],
          error: detail.error ?? null,
        };
      }),
    ),
    health_checks: input.checks.map((c) => ({
      check_id: c.check_id,
      stage: c.stage,
      phase: c.phase_id,
      status: c.status,
      message: c.message,
      figures: c.figures,
      duration_ms: c.duration_ms,
    })),
    approvals: input.approvals,
    rollbacks: events
      .filter((e) => e.type === "rollback.started")
      .map((e) => ({
        at: e.at,
        reason: String(e.data.reason ?? ""),
        scope: e.data.scope,
        steps: (e.data.steps as string[]) ?? [],
      })),
    incidents: events.filter((e) => e.type === "incident").map((e) => ({ at: e.at, data: e.data })),
    timeline: events
      .filter((e) => e.type !== "step.log")
      .map((e) => ({
        seq: e.seq,
        at: e.at,
        type: e.type,
        phase_id: e.phase_id,
        step_id: e.step_id,
        check_id: e.check_id,
      })),
  };
}

/** The report as Markdown. */
export function reportMarkdown(r: RunReport): string {
  const out: string[] = [];
  out.push(`# Run ${r.run.id}: ${r.run.name}`, "");
  out.push(`- status: **${r.run.status}**`);
  out.push(`- blueprint: ${r.run.blueprint_id} (${r.run.blueprint_hash.slice(0, 19)}…)`);
  if (r.run.started_at) out.push(`- started: ${r.run.started_at}`);
  if (r.run.ended_at)
    out.push(
      `- ended: ${r.run.ended_at}${r.run.duration_ms !== null ? ` (${(r.run.duration_ms / 1000).toFixed(1)} s)` : ""}`,
    );
  out.push(
    "",
    "## Steps",
    "",
    "| phase | step | action | state | attempts | duration | notes |",
    "|---|---|---|---|---|---|---|",
  );
  for (const s of r.steps) {
    const notes = [...s.notes, ...(s.error ? [`error: ${s.error}`] : [])].join("; ").replace(/\|/g, "\\|");
    out.push(
      `| ${s.phase} | ${s.id} | ${s.action} | ${s.state} | ${s.attempts} | ${s.duration_ms === null ? "-" : `${s.duration_ms} ms`} | ${notes} |`,
    );
  }
  out.push(
    "",
    "## Health checks",
    "",
    "| stage | check | status | figures | message |",
    "|---|---|---|---|---|",
  );
  for (const c of r.health_checks) {
    out.push(
      `| ${c.stage} | ${c.check_id} | ${c.status} | ${figures(c.figures)} | ${c.message.replace(/\|/g, "\\|")} |`,
    );
  }
  if (r.approvals.length) {
    out.push("", "## Approvals", "");
    for (const a of r.approvals)
      out.push(
        `- ${a.step_id}: approved by ${a.approved_by} at ${a.approved_at} (step ${a.step_hash.slice(0, 19)}…)`,
      );
  }
  if (r.rollbacks.length) {
    out.push("", "## Rollbacks", "");
    for (const rb of r.rollbacks)
      out.push(`- ${rb.at}: ${rb.reason} — undid ${rb.steps.join(", ") || "nothing"}`);
  }
  if (r.incidents.length) {
    out.push("", "## Incident report", "");
    for (const i of r.incidents) {
      out.push(`- ${i.at}: ${String(i.data.what ?? "")}`);
      if (i.data.restored !== undefined)
        out.push(`  - state restored (fingerprint and checksums equal): ${i.data.restored ? "yes" : "NO"}`);
      if (Array.isArray(i.data.differences) && i.data.differences.length)
        out.push(`  - differences: ${JSON.stringify(i.data.differences)}`);
      if (i.data.post_rollback_checks)
        out.push(`  - post-rollback health checks: ${i.data.post_rollback_checks}`);
    }
  }
  out.push("", "## Timeline", "");
  for (const e of r.timeline)
    out.push(
      `${e.seq}. ${e.at} ${e.type}${[e.phase_id, e.step_id, e.check_id]
        .filter(Boolean)
        .map((x) => ` ${x}`)
        .join("")}`,
    );
  return `${out.join("\n")}\n`;
}

function figures(f: Record<string, unknown>): string {
  return Object.entries(f)
    .slice(0, 6)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.length}]` : String(v)}`)
    .join(", ")
    .replace(/\|/g, "\\|");
}
