import type { Queryable } from "../client.js";

/**
 * What lives outside a relation and would break, or print a different name, if the relation were
 * renamed or dropped: views and materialized views that read it, other tables' foreign keys to
 * it, tables that inherit from it, functions and columns that use its row type, other tables'
 * defaults and policies that name it. Its own constraints, indexes, triggers, policies, rules and
 * defaults are not in the list: they go with it.
 *
 * `owner` is the relation whose own objects are left out: the relation itself, unless `oid` is
 * one of its sequences (a sequence used by another table's default is a dependent).
 */
export async function outsideDependents(q: Queryable, oid: number, owner: number = oid): Promise<string[]> {
  const { rows } = await q.query<{ what: string }>(
    `WITH targets AS (
       SELECT 'pg_catalog.pg_class'::regclass AS cls, $1::int8::oid AS oid
       UNION ALL
       SELECT 'pg_catalog.pg_type'::regclass, c.reltype FROM pg_catalog.pg_class c
        WHERE c.oid = $1::int8::oid AND c.reltype <> 0
       UNION ALL
       SELECT 'pg_catalog.pg_type'::regclass, t.typarray
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_type t ON t.oid = c.reltype
        WHERE c.oid = $1::int8::oid AND t.typarray <> 0
     )
     SELECT DISTINCT CASE
              WHEN v.oid IS NOT NULL THEN
                CASE v.relkind WHEN 'm' THEN 'materialized view ' ELSE 'view ' END || v.oid::regclass::text
              WHEN k.contype = 'f' THEN
                'foreign key ' || pg_catalog.quote_ident(k.conname) || ' of table ' || k.conrelid::regclass::text
              ELSE pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid)
            END AS what
       FROM pg_catalog.pg_depend d
       JOIN targets t ON d.refclassid = t.cls AND d.refobjid = t.oid
       LEFT JOIN pg_catalog.pg_rewrite r ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND r.oid = d.objid
       LEFT JOIN pg_catalog.pg_class v ON v.oid = r.ev_class
       LEFT JOIN pg_catalog.pg_constraint k ON d.classid = 'pg_catalog.pg_constraint'::regclass AND k.oid = d.objid
       LEFT JOIN pg_catalog.pg_trigger g ON d.classid = 'pg_catalog.pg_trigger'::regclass AND g.oid = d.objid
       LEFT JOIN pg_catalog.pg_policy p ON d.classid = 'pg_catalog.pg_policy'::regclass AND p.oid = d.objid
       LEFT JOIN pg_catalog.pg_attrdef a ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND a.oid = d.objid
       LEFT JOIN pg_catalog.pg_index i ON d.classid = 'pg_catalog.pg_class'::regclass AND i.indexrelid = d.objid
      WHERE d.deptype = 'n'
        AND NOT (d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = $2::int8::oid)
        AND coalesce(r.ev_class, k.conrelid, g.tgrelid, p.polrelid, a.adrelid, i.indrelid) IS DISTINCT FROM $2::int8::oid
      ORDER BY 1`,
    [oid, owner],
  );
  return rows.map((r) => r.what);
}

/** A table's objects whose names are taken in its schema, and must be set aside with it. */
export interface OwnedObjects {
  /** Every index of the table; renaming one renames the constraint it backs (primary key, unique). */
  indexes: string[];
  /** Sequences owned by its columns (serial, identity), with their oids. */
  sequences: { schema: string; name: string; oid: number }[];
  /**
   * Constraints without an index (check, foreign key, not-null): their names are per table, but
   * PostgreSQL picks a generated name that is free in the whole schema, so they are set aside too.
   */
  constraints: string[];
}

export async function ownedObjects(q: Queryable, oid: number): Promise<OwnedObjects> {
  const indexes = await q.query<{ name: string }>(
    `SELECT ic.relname AS name FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
      WHERE i.indrelid = $1::int8::oid ORDER BY 1`,
    [oid],
  );
  const sequences = await q.query<{ schema: string; name: string; oid: number }>(
    `SELECT DISTINCT n.nspname AS schema, s.relname AS name, s.oid::int8::float8 AS oid
       FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class s ON s.oid = d.objid
       JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace
      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
        AND d.refobjid = $1::int8::oid AND d.deptype IN ('a', 'i') AND s.relkind = 'S'
      ORDER BY 2`,
    [oid],
  );
  const constraints = await q.query<{ name: string }>(
    `SELECT k.conname AS name FROM pg_catalog.pg_constraint k
      WHERE k.conrelid = $1::int8::oid AND k.contype IN ('c', 'f', 'n') ORDER BY 1`,
    [oid],
  );
  return {
    indexes: indexes.rows.map((r) => r.name),
    sequences: sequences.rows.map((r) => ({ schema: r.schema, name: r.name, oid: Number(r.oid) })),
    constraints: constraints.rows.map((r) => r.name),
  };
}

/** Why a table cannot be archived as a whole by a rename, or undefined when it can. */
export async function partitioningBlocker(q: Queryable, oid: number): Promise<string | undefined> {
  const { rows } = await q.query<{ relkind: string; parent: string | null; partition: boolean }>(
    `SELECT c.relkind::text AS relkind, c.relispartition AS partition,
            (SELECT string_agg(h.inhparent::regclass::text, ', ') FROM pg_catalog.pg_inherits h
              WHERE h.inhrelid = c.oid) AS parent
       FROM pg_catalog.pg_class c WHERE c.oid = $1::int8::oid`,
    [oid],
  );
  const row = rows[0];
  if (!row) return undefined;
  if (row.relkind === "p")
    return "it is partitioned, and its partitions would stay behind under their own names";
  if (row.partition) return `it is a partition of ${row.parent}: detach it first`;
  if (row.parent) return `it inherits from ${row.parent}: remove the inheritance first`;
  return undefined;
}
