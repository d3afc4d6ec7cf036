/**
 * Errors of the expand/contract and backfill actions, each built from its fields (STYLE.md 11):
 * what happened, on which table or column, and what to do next.
 */

export class BackfillNeedsKeyError extends Error {
  constructor(readonly table: string) {
    super(
      `cannot backfill ${table} in batches: it has no primary key to page by; add a primary key (or a unique not-null key promoted to one) first`,
    );
    this.name = "BackfillNeedsKeyError";
  }
}

/** A backfill stopped between two batches because the run was asked to pause; resuming continues. */
export class BackfillPausedError extends Error {
  constructor(
    readonly table: string,
    readonly lastKey: string[] | undefined,
    readonly rows: number,
  ) {
    super(
      `backfill of ${table} paused after ${rows} rows${lastKey ? ` at key (${lastKey.join(", ")})` : ""}: resume the run to continue from there`,
    );
    this.name = "BackfillPausedError";
  }
}

/** Params that name something the table does not have, or that cannot be done as asked. */
export class InvalidColumnChangeError extends Error {
  /** True when the action refused before changing anything (see `changed-nothing.ts`). */
  readonly changedNothing: boolean;

  constructor(
    readonly table: string,
    readonly column: string,
    readonly reason: string,
    options: { changedNothing?: boolean } = {},
  ) {
    super(`${table}.${column}: ${reason}`);
    this.name = "InvalidColumnChangeError";
    this.changedNothing = options.changedNothing ?? false;
  }
}

/** A contract (or a revert of it) asked for before its expand: the order of the steps is wrong. */
export class ExpandStateMissingError extends Error {
  constructor(
    readonly operation: string,
    readonly table: string,
    readonly column: string,
  ) {
    super(
      `${operation} of ${table}.${column}: the expand stage has not run (no expand state found); run the expand step first, and make the contract step depend on it`,
    );
    this.name = "ExpandStateMissingError";
  }
}

/**
 * Old and new columns disagree on some rows: contracting would lose what the old one holds.
 * `remedy` says how to bring them together (by default: run the expand again).
 */
export class ColumnsOutOfSyncError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly shadow: string,
    readonly rows: number,
    readonly remedy = "(written with triggers disabled?); run the expand step again to re-sync them, then contract",
  ) {
    super(`${table}.${column} and ${shadow} differ on ${rows} rows ${remedy}`);
    this.name = "ColumnsOutOfSyncError";
  }
}
