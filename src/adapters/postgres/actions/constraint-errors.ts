/**
 * Errors of the index and constraint actions, each built from its fields (STYLE.md 11): what
 * happened, on which table, and what to do next.
 */

/** An index or constraint of that name exists, but it is not the one the step asks for. */
export class DefinitionMismatchError extends Error {
  constructor(
    readonly kind: "index" | "constraint",
    readonly objectName: string,
    readonly existing: string,
    readonly requested: string,
  ) {
    super(
      `${kind} ${objectName} already exists as "${existing}", not "${requested}": give the step another name, ` +
        `or drop the existing ${kind} first`,
    );
    this.name = "DefinitionMismatchError";
  }
}

/** A relation of that name exists and is not an index of the table. */
export class NameTakenError extends Error {
  constructor(
    readonly schema: string,
    readonly relation: string,
    readonly what: string,
  ) {
    super(`the name ${schema}.${relation} is taken by ${what}: give the step another name`);
    this.name = "NameTakenError";
  }
}

/** drop_index of an index a constraint owns or a foreign key depends on. */
export class IndexInUseError extends Error {
  constructor(
    readonly index: string,
    readonly reason: string,
    readonly advice: string,
  ) {
    super(`cannot drop index ${index}: ${reason}; ${advice}`);
    this.name = "IndexInUseError";
  }
}

/** restore_index without the definition drop_index kept. */
export class DefinitionNotKeptError extends Error {
  constructor(
    readonly kind: "index" | "constraint",
    readonly schema: string,
    readonly objectName: string,
    readonly where: string,
  ) {
    super(
      `cannot restore ${kind} ${schema}.${objectName}: no definition of it is kept in ${where} ` +
        `(was it dropped by postgres.drop_${kind}?)`,
    );
    this.name = "DefinitionNotKeptError";
  }
}

/**
 * Rows that break the constraint or index a step adds: how many, an example, and what was
 * cleaned up, so that the user fixes the data and runs the step again.
 */
export class ViolatingRowsError extends Error {
  constructor(
    readonly table: string,
    readonly what: string,
    readonly count: number,
    /** What is wrong with the rows, after their count: `rows are NULL in phone`. */
    readonly problem: string,
    readonly example: string | null,
    readonly cleanedUp: string,
  ) {
    super(
      `cannot add ${what} to ${table}: ${count} ${problem}${example ? ` (for example ${example})` : ""}; ` +
        `${cleanedUp}. Fix those rows, then run the step again`,
    );
    this.name = "ViolatingRowsError";
  }
}

/** A step that cannot do what it is asked on this table or column, and why. */
export class RefusedError extends Error {
  constructor(
    readonly action: string,
    readonly target: string,
    readonly reason: string,
  ) {
    super(`${action} refuses ${target}: ${reason}`);
    this.name = "RefusedError";
  }
}

export class ColumnDoesNotExistError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
  ) {
    super(`column ${table}.${column} does not exist`);
    this.name = "ColumnDoesNotExistError";
  }
}
