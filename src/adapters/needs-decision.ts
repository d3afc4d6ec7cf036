import type { ChangedNothing } from "./changed-nothing.js";

/**
 * A step that could not decide on its own and asks a person: a canary analysis that was
 * inconclusive (too little traffic, or results between pass and fail). Nothing was changed, so a
 * rollback leaves the step alone. The executor stops the run waiting for the person: their
 * approval of the step accepts the result and the run goes on; `rollback` undoes the run instead.
 */
export class NeedsDecisionError extends Error implements ChangedNothing {
  readonly changedNothing = true as const;
  readonly needsDecision = true as const;
  constructor(
    message: string,
    readonly figures: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "NeedsDecisionError";
  }
}

/** Whether an error asks a person to decide. */
export function needsDecision(error: unknown): error is NeedsDecisionError {
  return (error as Partial<NeedsDecisionError> | null)?.needsDecision === true;
}
