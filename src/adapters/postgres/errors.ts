/**
 * Errors of the PostgreSQL adapter, each built from its fields (STYLE.md 11), so that a step's
 * failure reads the same wherever it is shown.
 */

export class TableDoesNotExistError extends Error {
  constructor(
    readonly schema: string,
    readonly table: string,
  ) {
    super(`table ${schema}.${table} does not exist`);
    this.name = "TableDoesNotExistError";
  }
}

export class ColumnTypeMismatchError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly existing: string,
    readonly requested: string,
  ) {
    super(`column ${table}.${column} already exists as ${existing}, not ${requested}`);
    this.name = "ColumnTypeMismatchError";
  }
}

/** A column whose drop could not be undone without loss, and why. */
export class ColumnNotDroppableError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly reason: string,
  ) {
    super(`cannot drop ${table}.${column} with a backup: ${reason}`);
    this.name = "ColumnNotDroppableError";
  }
}

export class BackupMissingError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly backup: string,
  ) {
    super(`cannot restore ${table}.${column}: its backup table ${backup} does not exist`);
    this.name = "BackupMissingError";
  }
}

/** A DDL statement that kept timing out on its lock. */
export class LockTimeoutError extends Error {
  constructor(
    readonly attempts: number,
    readonly lockTimeoutMs: number,
    readonly detail: string,
  ) {
    super(
      `gave up after ${attempts} attempts: each waited ${lockTimeoutMs}ms for a lock another session holds (${detail})`,
    );
    this.name = "LockTimeoutError";
  }
}

export { ComponentLockedError } from "../component-locked.js";
