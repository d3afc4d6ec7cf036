import type { Queryable } from "../client.js";
import { qualify, quoteLiteral } from "../identifiers.js";

/**
 * What a bookkeeping table (`ma_backup_…`) holds is described by a JSON record in its comment,
 * marked with a `format` so that a table of the user's with a JSON comment is never taken for
 * one of ours. Column backups, table archives and backfill backups all keep theirs this way.
 */
export interface BookkeepingRecord {
  format: string;
  version: number;
}

export async function writeRecord(
  q: Queryable,
  schema: string,
  table: string,
  record: BookkeepingRecord,
): Promise<void> {
  await q.query(`COMMENT ON TABLE ${qualify(schema, table)} IS ${quoteLiteral(JSON.stringify(record))}`);
}

/** The table's record and oid, or undefined when there is no such table or it is not `format`'s. */
export async function readRecord<R extends BookkeepingRecord>(
  q: Queryable,
  schema: string,
  table: string,
  format: string,
): Promise<{ record: R; oid: number } | undefined> {
  const { rows } = await q.query<{ comment: string | null; oid: number }>(
    `SELECT pg_catalog.obj_description(c.oid, 'pg_class') AS comment, c.oid::int8::float8 AS oid
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'r'`,
    [schema, table],
  );
  const row = rows[0];
  if (!row?.comment) return undefined;
  try {
    const record = JSON.parse(row.comment) as R;
    return record.format === format ? { record, oid: Number(row.oid) } : undefined;
  } catch {
    return undefined;
  }
}
