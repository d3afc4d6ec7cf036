import pc from "picocolors";
import { describeEvent } from "../../render/run-event.js";
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
    const line = describeEvent(event, pc);
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
