import type { Queryable } from "./client.js";
import type { PgDomain, PgEnum, PgSequence, PgView } from "./discover.js";
import { USER_RELATION, USER_SCHEMA } from "./user-objects.js";

/** What discovery reads besides tables: schemas, views, sequences and types. */
export interface PgObjects {
  schemas: string[];
  views: PgView[];
  sequences: PgSequence[];
  enums: PgEnum[];
  domains: PgDomain[];
}

/** `t` is pg_type: a type of the user's, not an extension's. */
const USER_TYPE = `${USER_SCHEMA}
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                   WHERE e.classid = 'pg_catalog.pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')`;

export async function discoverObjects(tx: Queryable): Promise<PgObjects> {
  const schemas = await tx.query<{ name: string }>(
    `SELECT n.nspname AS name FROM pg_catalog.pg_namespace n WHERE ${USER_SCHEMA}
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                         WHERE e.classid = 'pg_catalog.pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
      ORDER BY n.nspname COLLATE "C"`,
  );
  const views = await tx.query<Omit<PgView, "reads">>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
            c.relispopulated AS populated, pg_catalog.pg_get_viewdef(c.oid) AS definition
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('v', 'm') AND ${USER_RELATION}
      ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`,
  );
  // A view's rewrite rule depends on every relation it reads (refobjsubid 0) and on every column
  // of those it reads (refobjsubid = attnum): the columns a drop or a type change would break.
  const reads = await tx.query<{
    schema: string;
    view: string;
    ref_schema: string;
    ref_table: string;
    column: string | null;
  }>(
    `SELECT n.nspname AS schema, c.relname AS view, tn.nspname AS ref_schema, t.relname AS ref_table,
            a.attname::text AS column, a.attnum
       FROM pg_catalog.pg_rewrite r
       JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
                                  AND d.refclassid = 'pg_catalog.pg_class'::regclass
       JOIN pg_catalog.pg_class t ON t.oid = d.refobjid AND t.oid <> c.oid
       JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
       LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid AND d.refobjsubid > 0
      WHERE c.relkind IN ('v', 'm') AND ${USER_RELATION}
      ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", tn.nspname COLLATE "C", t.relname COLLATE "C",
               a.attnum`,
  );
  const sequences = await tx.query<{
    schema: string;
    name: string;
    type: string;
    owner_schema: string | null;
    owner_table: string | null;
    owner_column: string | null;
  }>(
    `SELECT n.nspname AS schema, c.relname AS name, pg_catalog.format_type(s.seqtypid, NULL) AS type,
            tn.nspname AS owner_schema, t.relname AS owner_table, a.attname AS owner_column
       FROM pg_catalog.pg_sequence s
       JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
                                       AND d.refclassid = 'pg_catalog.pg_class'::regclass
                                       AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
       LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
       LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
       LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      WHERE ${USER_RELATION}
      ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`,
  );
  const enums = await tx.query<PgEnum>(
    `SELECT n.nspname AS schema, t.typname AS name,
            ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e
                   WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels
       FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typtype = 'e' AND ${USER_TYPE}
      ORDER BY n.nspname COLLATE "C", t.typname COLLATE "C"`,
  );
  const domains = await tx.query<PgDomain>(
    `SELECT n.nspname AS schema, t.typname AS name, pg_catalog.format_type(t.typbasetype, t.typtypmod) AS type,
            NOT t.typnotnull AS nullable, t.typdefault AS default,
            coalesce((SELECT json_agg(json_build_object('name', k.conname, 'definition',
                                                        pg_catalog.pg_get_constraintdef(k.oid))
                                      ORDER BY k.conname COLLATE "C")
                        FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c'),
                     '[]'::json) AS checks
       FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typtype = 'd' AND ${USER_TYPE}
      ORDER BY n.nspname COLLATE "C", t.typname COLLATE "C"`,
  );

  const byView = new Map<string, PgView>();
  for (const v of views.rows) byView.set(`${v.schema}.${v.name}`, { ...v, reads: [] });
  for (const r of reads.rows) {
    const view = byView.get(`${r.schema}.${r.view}`);
    if (!view) continue;
    let read = view.reads.at(-1);
    if (!read || read.schema !== r.ref_schema || read.table !== r.ref_table) {
      read = { schema: r.ref_schema, table: r.ref_table, columns: [] };
      view.reads.push(read);
    }
    if (r.column !== null && !read.columns.includes(r.column)) read.columns.push(r.column);
  }
  return {
    schemas: schemas.rows.map((s) => s.name),
    views: [...byView.values()],
    sequences: sequences.rows.map((s) => ({
      schema: s.schema,
      name: s.name,
      type: s.type,
      owned_by:
        s.owner_schema && s.owner_table && s.owner_column
          ? { schema: s.owner_schema, table: s.owner_table, column: s.owner_column }
          : null,
    })),
    enums: enums.rows,
    domains: domains.rows.map((d) => ({
      ...d,
      checks: typeof d.checks === "string" ? JSON.parse(d.checks) : d.checks,
    })),
  };
}
