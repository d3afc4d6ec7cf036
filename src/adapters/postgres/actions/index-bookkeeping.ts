import type { Queryable } from "../client.js";
import { qualify } from "../identifiers.js";
import { BOOKKEEPING_PREFIX } from "../user-objects.js";
import type { IndexNode } from "./index-build.js";

/**
 * Where drop_index and drop_constraint keep what they drop, so that it can be put back exactly:
 * one table per schema, `ma_backup__definitions` (the `ma_backup_` prefix keeps it out of
 * snapshots and discovery; the double underscore keeps it apart from the `ma_backup_<table>`
 * names of other actions). A row per dropped index (keyed by its name: index names are unique in
 * a schema) or constraint (keyed by its table and name).
 */
export const DEFINITIONS_TABLE = `${BOOKKEEPING_PREFIX}_definitions`;

/** A dropped index: its definition, and for a partitioned one, its partitions' indexes. */
export interface KeptIndex {
  kind: "index";
  schema: string;
  table: string;
  name: string;
  definition: string;
  children: IndexNode[];
  comment: string | null;
}

/** A dropped constraint: `ALTER TABLE … ADD CONSTRAINT name <definition>` puts it back. */
export interface KeptConstraint {
  kind: "constraint";
  schema: string;
  table: string;
  name: string;
  type: string;
  definition: string;
}

type Kept = KeptIndex | KeptConstraint;

const keyOf = (kept: Pick<Kept, "kind" | "table">) => (kept.kind === "index" ? "" : kept.table);

/** Keeps a definition (replacing an older one of the same key), in the caller's transaction. */
export async function keepDefinition(q: Queryable, kept: Kept): Promise<void> {
  const table = qualify(kept.schema, DEFINITIONS_TABLE);
  await q.query(
    `CREATE TABLE IF NOT EXISTS ${table} (
       kind text NOT NULL, table_name text NOT NULL, name text NOT NULL,
       definition jsonb NOT NULL, kept_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (kind, table_name, name))`,
  );
  await q.query(
    `INSERT INTO ${table} (kind, table_name, name, definition) VALUES ($1, $2, $3, $4::jsonb)
     ON CONFLICT (kind, table_name, name) DO UPDATE SET definition = EXCLUDED.definition, kept_at = now()`,
    [kept.kind, keyOf(kept), kept.name, JSON.stringify(kept)],
  );
}

/** The kept definition of an index (by name) or of a constraint (by table and name). */
export async function readKept<K extends Kept["kind"]>(
  q: Queryable,
  kind: K,
  schema: string,
  name: string,
  table?: string,
): Promise<Extract<Kept, { kind: K }> | undefined> {
  const { rows: found } = await q.query<{ found: boolean }>("SELECT to_regclass($1) IS NOT NULL AS found", [
    qualify(schema, DEFINITIONS_TABLE),
  ]);
  if (!found[0]?.found) return undefined;
  const { rows } = await q.query<{ definition: string | Kept }>(
    `SELECT definition::text AS definition FROM ${qualify(schema, DEFINITIONS_TABLE)}
      WHERE kind = $1 AND table_name = $2 AND name = $3`,
    [kind, kind === "index" ? "" : (table ?? ""), name],
  );
  const value = rows[0]?.definition;
  if (value === undefined) return undefined;
  return (typeof value === "string" ? JSON.parse(value) : value) as Extract<Kept, { kind: K }>;
}

/** Forgets a kept definition once it is back in place. */
export async function forgetKept(q: Queryable, kept: Pick<Kept, "kind" | "schema" | "table" | "name">) {
  const { rows: found } = await q.query<{ found: boolean }>("SELECT to_regclass($1) IS NOT NULL AS found", [
    qualify(kept.schema, DEFINITIONS_TABLE),
  ]);
  if (!found[0]?.found) return;
  await q.query(
    `DELETE FROM ${qualify(kept.schema, DEFINITIONS_TABLE)} WHERE kind = $1 AND table_name = $2 AND name = $3`,
    [kept.kind, keyOf(kept), kept.name],
  );
}
