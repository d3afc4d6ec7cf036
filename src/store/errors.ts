/** A transition names a run the store does not hold: the event would belong to nothing. */
export class RunNotFoundError extends Error {
  override readonly name = "RunNotFoundError";

  constructor(readonly runId: string) {
    super(`no run '${runId}' in the store`);
  }
}

/** A timestamp handed to the store is not a date: refused before it reaches the database. */
export class InvalidTimestampError extends Error {
  override readonly name = "InvalidTimestampError";

  constructor(
    readonly field: string,
    readonly value: string,
  ) {
    super(`${field} is not an ISO timestamp: '${value}'`);
  }
}
