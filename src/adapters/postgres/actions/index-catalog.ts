import type { Queryable } from "../client.js";

/** Catalog look-ups of the index actions. Names travel as parameters, never in the SQL. */

export interface RelationByName {
  oid: number;
  /** `i` index, `I` partitioned index, anything else is not an index. */
  relkind: string;
  /** For an index: its table, its validity and pg_get_indexdef. */
  table: string | null;
  table_schema: string | null;
  valid: boolean | null;
  definition: string | null;
  /** The index this one is attached to, as a partition of a partitioned index. */
  parent_index: string | null;
  parent_index_schema: string | null;
}

/** The relation of that name in the schema (an index, or whatever holds the name), or undefined. */
export async function relationByName(q: Queryable, schema: string, name: string) {
  const { rows } = await q.query<RelationByName>(
    `SELECT c.oid::int8::float8 AS oid, c.relkind::text AS relkind,
            t.relname AS table, tn.nspname AS table_schema, i.indisvalid AS valid,
            CASE WHEN c.relkind IN ('i', 'I') THEN pg_catalog.pg_get_indexdef(c.oid) END AS definition,
            pc.relname AS parent_index, pn.nspname AS parent_index_schema
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
       LEFT JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
       LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
       LEFT JOIN pg_catalog.pg_inherits h ON h.inhrelid = c.oid
       LEFT JOIN pg_catalog.pg_class pc ON pc.oid = h.inhparent
       LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, name],
  );
  const row = rows[0];
  return row ? { ...row, oid: Number(row.oid) } : undefined;
}

export const isIndex = (r: RelationByName) => r.relkind === "i" || r.relkind === "I";

const KIND: Record<string, string> = {
  r: "a table",
  p: "a partitioned table",
  v: "a view",
  m: "a materialized view",
  S: "a sequence",
  f: "a foreign table",
  c: "a composite type",
};
/** How a message names what holds a name: `a view`, `an index of table orders`. */
export const relationKind = (r: RelationByName) =>
  isIndex(r) ? `an index of table ${r.table_schema}.${r.table}` : (KIND[r.relkind] ?? "another relation");

/** The partitions of a table, one level down, by name. */
export async function partitionsOf(q: Queryable, tableOid: number) {
  const { rows } = await q.query<{ oid: number; schema: string; name: string; relkind: string }>(
    `SELECT c.oid::int8::float8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind
       FROM pg_catalog.pg_inherits h
       JOIN pg_catalog.pg_class c ON c.oid = h.inhrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE h.inhparent = $1::int8::oid
      ORDER BY c.relname COLLATE "C"`,
    [tableOid],
  );
  return rows.map((r) => ({ ...r, oid: Number(r.oid) }));
}

/** The relkind of a table (`r` or `p`). */
export async function relkindOf(q: Queryable, oid: number): Promise<string> {
  const { rows } = await q.query<{ relkind: string }>(
    "SELECT relkind::text AS relkind FROM pg_catalog.pg_class WHERE oid = $1::int8::oid",
    [oid],
  );
  return rows[0]?.relkind ?? "";
}

export interface IndexChild {
  schema: string;
  table: string;
  name: string;
  definition: string;
  parent: { schema: string; name: string };
}

/** Every index attached below a partitioned index, parents before their children. */
export async function indexChildren(q: Queryable, indexOid: number): Promise<IndexChild[]> {
  const { rows } = await q.query<{
    schema: string;
    table: string;
    name: string;
    definition: string;
    parent_schema: string;
    parent_name: string;
  }>(
    `WITH RECURSIVE tree(oid, parent, depth) AS (
       SELECT h.inhrelid, h.inhparent, 1 FROM pg_catalog.pg_inherits h WHERE h.inhparent = $1::int8::oid
       UNION ALL
       SELECT h.inhrelid, h.inhparent, t.depth + 1 FROM pg_catalog.pg_inherits h JOIN tree t ON h.inhparent = t.oid)
     SELECT n.nspname AS schema, tc.relname AS table, c.relname AS name,
            pg_catalog.pg_get_indexdef(c.oid) AS definition,
            pn.nspname AS parent_schema, pc.relname AS parent_name
       FROM tree
       JOIN pg_catalog.pg_class c ON c.oid = tree.oid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
       JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid
       JOIN pg_catalog.pg_class pc ON pc.oid = tree.parent
       JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
      ORDER BY tree.depth, c.relname COLLATE "C"`,
    [indexOid],
  );
  return rows.map((r) => ({
    schema: r.schema,
    table: r.table,
    name: r.name,
    definition: r.definition,
    parent: { schema: r.parent_schema, name: r.parent_name },
  }));
}

/**
 * What keeps an index from being dropped on its own: the constraint it backs (primary key,
 * unique, exclusion), the foreign keys that reference through it, the partitioned index it is
 * attached to. One line each, empty when nothing does.
 */
export async function indexUsers(q: Queryable, indexOid: number): Promise<string[]> {
  const { rows } = await q.query<{ line: string }>(
    `SELECT CASE k.contype WHEN 'p' THEN 'the primary key ' WHEN 'u' THEN 'the unique constraint '
                           WHEN 'x' THEN 'the exclusion constraint ' ELSE 'the foreign key ' END
            || k.conname || ' of table ' || n.nspname || '.' || c.relname
            || CASE WHEN k.contype = 'f' THEN ' references through it' ELSE ' owns it' END AS line
       FROM pg_catalog.pg_constraint k
       JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE k.conindid = $1::int8::oid AND k.contype IN ('p', 'u', 'x', 'f')
     UNION ALL
     SELECT 'it is a partition of index ' || pn.nspname || '.' || pc.relname
       FROM pg_catalog.pg_inherits h
       JOIN pg_catalog.pg_class pc ON pc.oid = h.inhparent
       JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
      WHERE h.inhrelid = $1::int8::oid
     ORDER BY 1`,
    [indexOid],
  );
  return rows.map((r) => r.line);
}
