import picocolors from "picocolors";
import type { RunEvent } from "../store/types.js";

type Colors = ReturnType<typeof picocolors.createColors>;
const plain = picocolors.createColors(false);

/**
 * One readable line for a run event that matters (undefined for the others): the terminal's
 * progress lines, the MCP server's log and its progress notifications. Plain text unless the
 * caller passes colours.
 */
export function describeEvent(e: RunEvent, pc: Colors = plain): string | undefined {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case "run.running":
      return pc.bold(`run ${e.run_id} started`);
    case "pre_checks.passed":
      return `${pc.green("✓")} pre-migration checks passed`;
    case "checkpoint":
      return pc.dim(`checkpoint ${d.checkpoint}`);
    case "phase.started":
      return pc.bold(`phase ${e.phase_id}`);
    case "phase.completed":
      return `${pc.green("✓")} phase ${e.phase_id} done`;
    case "step.running":
      return `  ▸ ${e.step_id} ${pc.dim(String(d.description ?? ""))}`;
    case "step.succeeded":
      return `  ${pc.green("✓")} ${e.step_id}${d.duration_ms !== undefined ? pc.dim(` ${d.duration_ms} ms`) : ""}${
        Array.isArray(d.notes) && d.notes.length ? pc.yellow(` (${d.notes.join("; ")})`) : ""
      }`;
    case "step.failed":
      return `  ${pc.red("✗")} ${e.step_id}: ${d.error}`;
    case "step.rolled_back":
      return `  ${pc.yellow("↺")} ${e.step_id} rolled back`;
    case "step.log":
      return pc.dim(`    ${e.step_id}: ${d.message}`);
    case "check.pass":
      return `  ${pc.green("✓")} check ${e.check_id} (${d.stage})${pc.dim(` ${short(d.figures)}`)}`;
    case "check.fail":
      return `  ${pc.red("✗")} check ${e.check_id} (${d.stage}): ${d.message}`;
    case "approval.required":
      return d.decision
        ? `${pc.yellow("⏸")} step ${e.step_id} waits for your decision: ${d.how}`
        : `${pc.yellow("⏸")} step ${e.step_id} needs approval (risk ${d.risk} > ${d.threshold}): ${d.how}`;
    case "rollback.started":
      return pc.yellow(`↺ rolling back: ${d.reason}`);
    case "rollback.waiting":
      return `${pc.yellow("⏸")} rollback of ${e.step_id} needs a human (level ${d.level}): ${d.instructions}\n         then: ${d.how}`;
    case "rollback.verified":
      return d.equal
        ? `${pc.green("✓")} state matches checkpoint ${d.checkpoint} (schema fingerprint and data checksums)`
        : `${pc.red("✗")} state differs from checkpoint ${d.checkpoint}: ${JSON.stringify(d.differences)}`;
    case "incident":
      return pc.yellow(`incident: ${d.what}`);
    case "run.aborted":
      return pc.red(`aborted: ${d.reason}`);
    case "run.completed":
      return pc.green(pc.bold(`run ${e.run_id} completed`));
    case "run.rolled_back":
    case "run.failed":
      return undefined; // said by the incident
    default:
      return undefined;
  }
}

function short(figures: unknown): string {
  if (!figures || typeof figures !== "object") return "";
  return Object.entries(figures as Record<string, unknown>)
    .filter(([, v]) => typeof v === "number" || typeof v === "string")
    .slice(0, 4)
    .map(([k, v]) => `${k}=${typeof v === "string" && v.length > 16 ? `${v.slice(0, 12)}…` : v}`)
    .join(" ");
}
