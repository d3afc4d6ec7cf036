/**
 * A change of the router's state that was refused, with the HTTP status the admin API answers:
 * 400 for bad input, 409 when the state moved on since the writer read it. The message says what
 * to fix and never echoes a secret.
 */
export class RouterStateError extends Error {
  override name = "RouterStateError";
  constructor(
    readonly status: 400 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** The state is no longer at the generation the writer expected: read it again, then decide. */
export class GenerationMismatchError extends RouterStateError {
  override name = "GenerationMismatchError";
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      409,
      `the router's state is at generation ${actual}, not ${expected}: someone changed it since you read it; GET /state and decide again`,
    );
  }
}
