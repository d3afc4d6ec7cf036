import type { Queryable } from "../client.js";
import { qualify, quoteIdent } from "../identifiers.js";
import { boundedName } from "./expand-state.js";

/**
 * The two-way sync trigger of an expand: a BEFORE INSERT OR UPDATE row trigger that keeps the old
 * column and the new one equal (under the conversion), whichever one the application writes, so
 * that old and new code run side by side. It only assigns NEW's fields (no statement of its own),
 * so it cannot recurse.
 *
 * - INSERT: the new column given → the old one follows (`down`); otherwise the new one is computed
 *   from the old (`up`), which also covers an old application that does not know the new column.
 * - UPDATE: the column whose value changed wins (IS DISTINCT FROM OLD); both changed → the new one
 *   wins; neither → the new column is filled in if it differs (a row the backfill has not reached).
 * - Without `down` (no cast back to the old type), writes to the new column do not reach the old
 *   one: the application must keep writing the old column until the contract.
 *
 * Its name starts with `zz_` because BEFORE triggers fire in name order: it runs after the table's
 * own triggers, and syncs what they wrote.
 */
export interface SyncSpec {
  schema: string;
  table: string;
  column: string;
  shadow: string;
  /** The new column's value, from NEW (the old column and the rest of the row). */
  up: string;
  /** The old column's value from NEW's new column, or undefined when there is no way back. */
  down: string | undefined;
}

export const syncFunctionName = (table: string, column: string) => boundedName("ma_sync_", [table, column]);
export const syncTriggerName = (column: string) => boundedName("zz_ma_sync_", [column]);

/** `(SELECT (<using>) FROM (SELECT NEW.*) AS "<table>")`: an expression over the row, evaluated on NEW. */
export const overNew = (table: string, expression: string) =>
  `(SELECT (${expression}) FROM (SELECT NEW.*) AS ${quoteIdent(table)})`;

export function syncFunctionSql(s: SyncSpec): string {
  const a = `NEW.${quoteIdent(s.column)}`;
  const b = `NEW.${quoteIdent(s.shadow)}`;
  const oldA = `OLD.${quoteIdent(s.column)}`;
  const oldB = `OLD.${quoteIdent(s.shadow)}`;
  const toOld = s.down ? `${a} := ${s.down};` : "NULL; -- no conversion back: the old column keeps its value";
  const body = `
#variable_conflict use_column
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF ${b} IS NULL THEN
      ${b} := ${s.up};
    ELSE
      ${toOld}
    END IF;
  ELSIF ${a} IS DISTINCT FROM ${oldA} AND ${b} IS NOT DISTINCT FROM ${oldB} THEN
    ${b} := ${s.up};
  ELSIF ${b} IS DISTINCT FROM ${oldB} THEN
    ${toOld}
  ELSIF ${b} IS DISTINCT FROM ${s.up} THEN
    ${b} := ${s.up};
  END IF;
  RETURN NEW;
END
`;
  let tag = "$ma_sync$";
  while (body.includes(tag)) tag = `$ma_sync${tag.length}$`;
  return `CREATE OR REPLACE FUNCTION ${qualify(s.schema, syncFunctionName(s.table, s.column))}() RETURNS trigger
    LANGUAGE plpgsql AS ${tag}${body}${tag}`;
}

/** Creates (or replaces) the function, and the trigger unless it is there. */
export async function installSync(q: Queryable, s: SyncSpec): Promise<void> {
  await q.query(syncFunctionSql(s));
  if (await triggerExists(q, s.schema, s.table, syncTriggerName(s.column))) return;
  await q.query(
    `CREATE TRIGGER ${quoteIdent(syncTriggerName(s.column))} BEFORE INSERT OR UPDATE ON ${qualify(s.schema, s.table)}
       FOR EACH ROW EXECUTE FUNCTION ${qualify(s.schema, syncFunctionName(s.table, s.column))}()`,
  );
}

export async function removeSync(q: Queryable, schema: string, table: string, column: string): Promise<void> {
  await q.query(`DROP TRIGGER IF EXISTS ${quoteIdent(syncTriggerName(column))} ON ${qualify(schema, table)}`);
  await q.query(`DROP FUNCTION IF EXISTS ${qualify(schema, syncFunctionName(table, column))}()`);
}

export async function triggerExists(
  q: Queryable,
  schema: string,
  table: string,
  name: string,
): Promise<boolean> {
  const { rows } = await q.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
       JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND g.tgname = $3 AND NOT g.tgisinternal) AS found`,
    [schema, table, name],
  );
  return rows[0]?.found === true;
}
