import { parseDuration } from "./duration.js";
import type { Blueprint, Step } from "./schema.js";

/** The defaults a blueprint leaves out, in one place. */
export const DEFAULTS = {
  requireApprovalAbove: 0.7,
  maxParallelism: 4,
  lockTimeoutMs: 500,
  rollbackLevel: 0,
} as const;

/** A step's estimated duration in ms (0 when not given). */
export function stepDurationMs(step: Step): number {
  return step.estimated_duration === undefined ? 0 : (parseDuration(step.estimated_duration) ?? 0);
}

/** A step's declared downtime in ms (0 when not given). */
export function stepDowntimeMs(step: Step): number {
  return step.downtime === undefined ? 0 : (parseDuration(step.downtime) ?? 0);
}

export function approvalThreshold(blueprint: Blueprint): number {
  return blueprint.constraints?.require_approval_above ?? DEFAULTS.requireApprovalAbove;
}

export function maxParallelism(blueprint: Blueprint): number {
  return blueprint.constraints?.max_parallelism ?? DEFAULTS.maxParallelism;
}

/** The constraint's max downtime in ms, or undefined when the blueprint sets none. */
export function maxDowntimeMs(blueprint: Blueprint): number | undefined {
  const text = blueprint.constraints?.max_downtime;
  return text === undefined ? undefined : parseDuration(text);
}
