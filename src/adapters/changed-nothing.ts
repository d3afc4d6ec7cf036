/**
 * An action's refusal found before it changed anything (a precondition: the column is already of
 * that type, the change was already contracted). The executor records the step as failed having
 * changed nothing, and a rollback leaves it alone: undoing what was never done would itself fail
 * (a run "failed" although nothing was touched), or undo what an earlier run did.
 */
export interface ChangedNothing {
  readonly changedNothing: true;
}

/** Whether an error says the action changed nothing. */
export function changedNothing(error: unknown): boolean {
  return (error as Partial<ChangedNothing> | null)?.changedNothing === true;
}
