/** The CLI's exit codes, documented in the README. */
export const EXIT = {
  /** Success: the blueprint is valid (warnings allowed). */
  ok: 0,
  /** The blueprint is invalid: at least one error-level diagnostic. */
  invalid: 1,
  /** Wrong usage, or a file that cannot be read or is too large. */
  usage: 2,
  /** A run stopped to wait for a human: an approval, a rollback confirmation, a manual step. */
  waiting: 3,
  /** An unexpected internal error (a bug: please report it with --debug output). */
  internal: 70,
} as const;
