import type { Queryable } from "../client.js";

/**
 * What depends on a column, sorted into what drop_column can put back (its table's own
 * constraints and indexes) and what it refuses to take down (views, foreign keys of other tables,
 * triggers, policies, owned sequences, …): dropping those silently would make the drop lossy.
 */
export interface ColumnDependents {
  constraints: { name: string; definition: string }[];
  indexes: string[];
  /** Why the column cannot be dropped and restored, one line per object. */
  blockers: string[];
}

export async function columnDependents(q: Queryable, oid: number, attnum: number): Promise<ColumnDependents> {
  const { rows } = await q.query<{
    catalog: string;
    what: string;
    relkind: string | null;
    contype: string | null;
    conrelid_same: boolean | null;
    conname: string | null;
    condef: string | null;
    index_owned: boolean | null;
    indexdef: string | null;
    own_default: boolean | null;
  }>(
    `SELECT d.classid::regclass::text AS catalog,
            pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) AS what,
            c.relkind::text AS relkind,
            k.contype::text AS contype, k.conrelid = $1::int8::oid AS conrelid_same, k.conname::text AS conname,
            pg_catalog.pg_get_constraintdef(k.oid) AS condef,
            EXISTS (SELECT 1 FROM pg_catalog.pg_constraint o
                     WHERE o.conindid = c.oid AND o.conrelid = $1::int8::oid AND o.contype IN ('p', 'u', 'x')) AS index_owned,
            CASE WHEN c.relkind = 'i' THEN pg_catalog.pg_get_indexdef(c.oid) END AS indexdef,
            ad.adrelid = $1::int8::oid AND ad.adnum = $2 AS own_default
       FROM pg_catalog.pg_depend d
       LEFT JOIN pg_catalog.pg_class c ON d.classid = 'pg_catalog.pg_class'::regclass AND c.oid = d.objid
       LEFT JOIN pg_catalog.pg_constraint k ON d.classid = 'pg_catalog.pg_constraint'::regclass AND k.oid = d.objid
       LEFT JOIN pg_catalog.pg_attrdef ad ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND ad.oid = d.objid
      WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = $1::int8::oid AND d.refobjsubid = $2
        AND d.deptype IN ('n', 'a')
      ORDER BY 2`,
    [oid, attnum],
  );
  const out: ColumnDependents = { constraints: [], indexes: [], blockers: [] };
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.what)) continue;
    seen.add(row.what);
    if (row.own_default) continue; // the column's own default: kept in the backup's definition
    if (row.catalog === "pg_constraint" && row.contype === "n") continue; // NOT NULL (PostgreSQL 18)
    if (
      row.catalog === "pg_constraint" &&
      row.conrelid_same &&
      row.contype !== "p" &&
      row.conname &&
      row.condef
    ) {
      out.constraints.push({ name: row.conname, definition: row.condef });
    } else if (row.catalog === "pg_class" && row.relkind === "i" && row.index_owned) {
      // The index of a unique or exclusion constraint: the constraint brings it back.
    } else if (row.catalog === "pg_class" && row.relkind === "i" && row.indexdef) {
      out.indexes.push(row.indexdef);
    } else {
      out.blockers.push(row.what);
    }
  }
  return out;
}
