import pc from "picocolors";
import type { RunEvent } from "../../store/types.js";

/**
 * Shows a run's events as they happen. `--json`: one JSON object per line with run_id, seq, type,
 * at and the phase, step or check it concerns. Otherwise one readable line per event that matters,
 * with the elapsed time; on a terminal (`live`), a status line under them keeps showing the phase,
 * the steps running and the elapsed time, redrawn four times a second.
 */
export function progressPrinter(options: {
  json: boolean;
  out: (text: string) => void;
  started?: number;
  /** A terminal to draw the status line on (only when stdout is a TTY). */
  live?: { write(text: string): void };
}) {
  const started = options.started ?? Date.now();
  const live = options.json ? undefined : options.live;
  const running = new Set<string>();
  let phase = "";
  let drawn = false;
  let timer: NodeJS.Timeout | undefined;
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const clear = () => {
    if (drawn) live?.write("\r\x1b[2K");
    drawn = false;
  };
  const draw = () => {
    if (!live) return;
    clear();
    const steps = running.size ? `running ${[...running].join(", ")}` : "waiting";
    live.write(pc.dim(`⏵ ${phase ? `phase ${phase} · ` : ""}${steps} · ${elapsed()}`));
    drawn = true;
  };
  const printer = (event: RunEvent) => {
    if (options.json) {
      options.out(JSON.stringify(event));
      return;
    }
    if (event.type === "phase.started") phase = event.phase_id ?? "";
    if (event.type === "step.running" && event.step_id) running.add(event.step_id);
    if (["step.succeeded", "step.failed", "step.rolled_back"].includes(event.type) && event.step_id) {
      running.delete(event.step_id);
    }
    const line = describeEvent(event);
    const finished = [
      "run.completed",
      "run.rolled_back",
      "run.failed",
      "run.awaiting_approval",
      "run.awaiting_confirmation",
      "run.paused_manual",
    ].includes(event.type);
    if (line) {
      clear();
      options.out(`${pc.dim(elapsed().padStart(7))} ${line}`);
    }
    if (live && !finished) {
      timer ??= setInterval(draw, 250);
      timer.unref?.();
      draw();
    }
    if (finished) printer.stop();
  };
  /** Stops redrawing and clears the status line. */
  printer.stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    clear();
  };
  return printer;
}

function describeEvent(e: RunEvent): string | undefined {
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
      return `${pc.yellow("⏸")} step ${e.step_id} needs approval (risk ${d.risk} > ${d.threshold}): ${d.how}`;
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
