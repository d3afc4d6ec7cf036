import { formatDuration } from "../blueprint/duration.js";
import { maxDowntimeMs, maxParallelism, stepDowntimeMs, stepDurationMs } from "../blueprint/effective.js";
import type { Blueprint } from "../blueprint/schema.js";
import type { StepRef } from "../blueprint/step-index.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import type { Schedule } from "../graph/schedule.js";
import { parseWindow, remainingInWindowMs } from "./maintenance-window.js";

export interface ConstraintOptions {
  /** When the run is planned to start; with it, downtime steps are checked against the window. */
  at?: Date;
}

/**
 * Checks the blueprint's constraints: max_downtime per step (MA301) and along the critical path
 * (MA302), the maintenance window (MA304 invalid, MA307 too short, MA303 outside it at `at`),
 * canary_percentage (MA305) and groups wider than max_parallelism (MA306).
 */
export function checkConstraints(
  blueprint: Blueprint,
  steps: readonly StepRef[],
  schedule: Schedule | undefined,
  options: ConstraintOptions = {},
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const constraints = blueprint.constraints;
  if (!constraints) return diagnostics;
  const at = ["blueprint", "constraints"];

  const maxDowntime = maxDowntimeMs(blueprint);
  if (maxDowntime !== undefined) {
    for (const ref of steps) {
      const downtime = stepDowntimeMs(ref.step);
      if (downtime > maxDowntime) {
        diagnostics.push(
          diagnostic(
            "MA301",
            [...ref.path, "downtime"],
            `step '${ref.step.id}' has ${formatDuration(downtime)} of downtime; max_downtime is ${constraints.max_downtime}`,
          ),
        );
      }
    }
    const onPath = schedule?.criticalPath.downtimeMs ?? 0;
    if (onPath > maxDowntime && !diagnostics.some((d) => d.code === "MA301")) {
      diagnostics.push(
        diagnostic(
          "MA302",
          [...at, "max_downtime"],
          `the steps on the critical path add up to ${formatDuration(onPath)} of downtime; max_downtime is ${constraints.max_downtime}`,
        ),
      );
    }
  }

  const canary = constraints.canary_percentage;
  if (canary !== undefined && !(canary >= 1 && canary <= 100)) {
    diagnostics.push(
      diagnostic("MA305", [...at, "canary_percentage"], `canary_percentage is ${canary}; it must be 1–100`),
    );
  }

  if (constraints.maintenance_window) {
    const parsed = parseWindow(constraints.maintenance_window);
    if ("problem" in parsed) {
      diagnostics.push(
        diagnostic(
          "MA304",
          [...at, "maintenance_window", parsed.field],
          `maintenance_window: ${parsed.problem}`,
        ),
      );
    } else {
      const window = parsed.window;
      for (const ref of steps) {
        const downtime = stepDowntimeMs(ref.step);
        if (downtime === 0) continue;
        const span = Math.max(downtime, stepDurationMs(ref.step));
        if (span > window.lengthMin * 60_000) {
          diagnostics.push(
            diagnostic(
              "MA307",
              [...ref.path, "downtime"],
              `step '${ref.step.id}' needs ${formatDuration(span)} inside the window, which lasts ${formatDuration(window.lengthMin * 60_000)}`,
            ),
          );
          continue;
        }
        if (!options.at || !schedule) continue;
        const start = new Date(options.at.getTime() + (schedule.startMs[ref.index] ?? 0));
        // A start beyond the dates a Date can hold is outside every window.
        if (Number.isNaN(start.getTime()) || remainingInWindowMs(window, start) < span) {
          diagnostics.push(
            diagnostic(
              "MA303",
              [...ref.path, "downtime"],
              `step '${ref.step.id}' has downtime and would run at ${Number.isNaN(start.getTime()) ? "a time past any calendar" : start.toISOString()}, outside the window ${constraints.maintenance_window.start}–${constraints.maintenance_window.end} ${window.timezone}`,
            ),
          );
        }
      }
    }
  }

  if (schedule && constraints.max_parallelism !== undefined) {
    const limit = maxParallelism(blueprint);
    for (const phase of schedule.phases) {
      phase.groups.forEach((group, level) => {
        if (group.length <= limit) return;
        diagnostics.push(
          diagnostic(
            "MA306",
            ["blueprint", "phases", phase.phaseIndex],
            `phase '${blueprint.phases[phase.phaseIndex]?.id}', group ${level + 1}: ${group.length} steps can run in parallel; at most ${limit} run at once`,
          ),
        );
      });
    }
  }
  return diagnostics;
}
