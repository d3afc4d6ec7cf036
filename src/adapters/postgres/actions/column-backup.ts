import { createHash } from "node:crypto";
import type { Queryable } from "../client.js";
import { BOOKKEEPING_PREFIX } from "../user-objects.js";
import { readRecord, writeRecord } from "./bookkeeping-record.js";

/**
 * What drop_column keeps so that restore_column can put the column back without loss: the rows
 * (primary key + the column's value) in a table `ma_backup_<table>_<column>` beside the original,
 * and the column's definition, with the constraints and indexes the drop took with it, as JSON in
 * that table's comment. Snapshots leave `ma_backup_…` tables out.
 */
export interface ColumnBackup {
  format: "migration-architect column backup";
  version: 1;
  schema: string;
  table: string;
  column: string;
  type: string;
  not_null: boolean;
  default: string | null;
  collation: string | null;
  comment: string | null;
  primary_key: string[];
  /** `ALTER TABLE … ADD CONSTRAINT name <definition>` puts each back. */
  constraints: { name: string; definition: string }[];
  /** CREATE INDEX statements, as pg_get_indexdef printed them. */
  indexes: string[];
  rows: number;
  taken_at: string;
}

const FORMAT = "migration-architect column backup";
const MAX_NAME_BYTES = 63;

/**
 * `ma_backup_<table>_<column>`, or, when that would pass PostgreSQL's 63 bytes (and be cut
 * silently), `ma_backup_` and a hash of the two names.
 */
export function backupTableName(table: string, column: string): string {
  const plain = `${BOOKKEEPING_PREFIX}${table}_${column}`;
  if (Buffer.byteLength(plain) <= MAX_NAME_BYTES) return plain;
  return `${BOOKKEEPING_PREFIX}${createHash("sha256").update(`${table}\u0000${column}`).digest("hex").slice(0, 32)}`;
}

/** A name for a superseded backup kept aside: the backup's name with a time suffix, within 63 bytes. */
export function supersededName(backup: string, now: Date): string {
  const suffix = `_${now.getTime().toString(36)}`;
  return `${backup.slice(0, MAX_NAME_BYTES - suffix.length)}${suffix}`;
}

export function writeBackupComment(q: Queryable, backup: ColumnBackup, name: string): Promise<void> {
  return writeRecord(q, backup.schema, name, backup);
}

/** The backup's description, or undefined when the table is not one of ours. */
export async function readBackupComment(
  q: Queryable,
  schema: string,
  name: string,
): Promise<ColumnBackup | undefined> {
  return (await readRecord<ColumnBackup>(q, schema, name, FORMAT))?.record;
}

export function newBackup(fields: Omit<ColumnBackup, "format" | "version">): ColumnBackup {
  return { format: FORMAT, version: 1, ...fields };
}
