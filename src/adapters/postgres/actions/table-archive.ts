import { createHash, randomBytes } from "node:crypto";
import type { Queryable } from "../client.js";
import { Identifier } from "../identifiers.js";
import { BOOKKEEPING_PREFIX } from "../user-objects.js";
import { readRecord, writeRecord } from "./bookkeeping-record.js";

/**
 * What drop_table keeps so that restore_table can undo it: the table itself, renamed to
 * `ma_backup_table_<table>` in its schema (instant: no row is copied, and rows written until the
 * rename are all there), with its indexes, owned sequences and check / foreign-key constraints
 * renamed to `ma_backup_<id>_<name>`, so that snapshots and discovery no longer see any of them
 * and their names are free for a new table. The original names and the table's own comment are
 * kept as JSON in the archived table's comment.
 */
export interface TableArchive {
  format: "migration-architect table archive";
  version: 1;
  schema: string;
  table: string;
  /** The table's comment before the drop (the archive's comment holds this record instead). */
  comment: string | null;
  /** Sequences carry their schema: one owned by the table may live in another schema. */
  renamed: {
    kind: "index" | "sequence" | "constraint";
    original: string;
    archived: string;
    schema?: string;
  }[];
  taken_at: string;
}

const FORMAT = "migration-architect table archive";
const MAX_NAME_BYTES = 63;

/** A table or view name of the user's: a plain identifier, not one of this adapter's own names. */
export const RelationName = Identifier.refine((name) => !name.startsWith(BOOKKEEPING_PREFIX), {
  error: `names starting with ${BOOKKEEPING_PREFIX} are this adapter's bookkeeping: choose another name`,
});

/**
 * `ma_backup_table_<table>`, or, when that would pass PostgreSQL's 63 bytes (and be cut
 * silently), `ma_backup_table_` and a hash of the name.
 */
export function archiveTableName(table: string): string {
  const plain = `${BOOKKEEPING_PREFIX}table_${table}`;
  if (Buffer.byteLength(plain) <= MAX_NAME_BYTES) return plain;
  return `${BOOKKEEPING_PREFIX}table_${createHash("sha256").update(table).digest("hex").slice(0, 32)}`;
}

/** `ma_backup_<8 hex>_<original>`, cut to 63 bytes on a character boundary. */
export function archivedObjectName(original: string): string {
  let name = `${BOOKKEEPING_PREFIX}${randomBytes(4).toString("hex")}_${original}`;
  while (Buffer.byteLength(name) > MAX_NAME_BYTES) name = name.slice(0, -1);
  return name;
}

export function writeArchiveComment(q: Queryable, archive: TableArchive, name: string): Promise<void> {
  return writeRecord(q, archive.schema, name, archive);
}

/** The archive's record, or undefined when there is no table of that name or it is not an archive. */
export async function readArchive(
  q: Queryable,
  schema: string,
  name: string,
): Promise<TableArchive | undefined> {
  return (await readRecord<TableArchive>(q, schema, name, FORMAT))?.record;
}

export function newArchive(fields: Omit<TableArchive, "format" | "version">): TableArchive {
  return { format: FORMAT, version: 1, ...fields };
}

/** A table drop_table will not archive, and why; `reason` says what to do first. */
export class TableNotDroppableError extends Error {
  constructor(
    readonly table: string,
    readonly reason: string,
  ) {
    super(`cannot drop table ${table} (archived by a rename, so that it can be restored): ${reason}`);
    this.name = "TableNotDroppableError";
  }
}

export class TableArchiveMissingError extends Error {
  constructor(
    readonly table: string,
    readonly archive: string,
  ) {
    super(
      `cannot restore table ${table}: it does not exist and there is no archive ${archive} of it (was it dropped by drop_table?)`,
    );
    this.name = "TableArchiveMissingError";
  }
}

/** restore_table finds something in the way of the names it would put back. */
export class TableRestoreConflictError extends Error {
  constructor(
    readonly table: string,
    readonly archive: string,
    readonly conflict: string,
  ) {
    super(
      `cannot restore table ${table} from ${archive}: ${conflict}; rename or drop it by hand, then restore again`,
    );
    this.name = "TableRestoreConflictError";
  }
}

/** create_table finds a table of that name that is not the one asked for. */
export class TableDefinitionMismatchError extends Error {
  constructor(
    readonly table: string,
    readonly differences: string[],
  ) {
    super(
      `table ${table} already exists with a different definition (${differences.join("; ")}): choose another name, or change or drop the existing table first`,
    );
    this.name = "TableDefinitionMismatchError";
  }
}
