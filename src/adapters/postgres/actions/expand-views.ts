import type { Queryable } from "../client.js";
import { qualify, quoteIdent, quoteLiteral } from "../identifiers.js";

/** A view as it was, enough to create it again: definition, options, comment, owner, grants. */
export interface ViewRecord {
  schema: string;
  name: string;
  definition: string;
  options: string[];
  comment: string | null;
  owner: string;
  grants: { grantee: string | null; privilege: string; grantable: boolean }[];
}

/**
 * The views reading a column, and the views reading those (and so on), in an order in which they
 * can be created (each after what it reads). Materialized views are listed too (`materialized`).
 */
export async function viewsReading(
  q: Queryable,
  oid: number,
  attnum: number,
): Promise<{ oid: number; schema: string; name: string; materialized: boolean; direct: boolean }[]> {
  const { rows } = await q.query<{ oid: number; schema: string; name: string; kind: string; depth: number }>(
    `WITH RECURSIVE readers(oid, depth) AS (
       SELECT r.ev_class, 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
          AND d.refobjid = $1::int8::oid AND d.refobjsubid = $2 AND r.ev_class <> $1::int8::oid
       UNION ALL
       SELECT r.ev_class, readers.depth + 1 FROM readers
         JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = readers.oid
         JOIN pg_catalog.pg_rewrite r ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND r.oid = d.objid
        WHERE r.ev_class <> readers.oid AND readers.depth < 50)
     SELECT c.oid::int8::float8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
            max(readers.depth)::int AS depth
       FROM readers JOIN pg_catalog.pg_class c ON c.oid = readers.oid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      GROUP BY 1, 2, 3, 4 ORDER BY 5, 2, 3`,
    [oid, attnum],
  );
  const direct = await q.query<{ oid: number }>(
    `SELECT DISTINCT r.ev_class::int8::float8 AS oid FROM pg_catalog.pg_depend d
       JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
      WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refobjid = $1::int8::oid AND d.refobjsubid = $2`,
    [oid, attnum],
  );
  const directOids = new Set(direct.rows.map((r) => Number(r.oid)));
  return rows.map((r) => ({
    oid: Number(r.oid),
    schema: r.schema,
    name: r.name,
    materialized: r.kind === "m",
    direct: directOids.has(Number(r.oid)),
  }));
}

export async function recordView(q: Queryable, oid: number): Promise<ViewRecord> {
  const { rows } = await q.query<{
    schema: string;
    name: string;
    definition: string;
    options: string[] | null;
    comment: string | null;
    owner: string;
  }>(
    `SELECT n.nspname AS schema, c.relname AS name, pg_catalog.pg_get_viewdef(c.oid) AS definition,
            c.reloptions AS options, pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
            pg_catalog.pg_get_userbyid(c.relowner) AS owner
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = $1::int8::oid`,
    [oid],
  );
  const row = rows[0];
  if (!row) throw new Error(`view ${oid} not found`);
  const grants = await q.query<{ grantee: string | null; privilege: string; grantable: boolean }>(
    `SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END AS grantee,
            a.privilege_type AS privilege, a.is_grantable AS grantable
       FROM pg_catalog.pg_class c, LATERAL pg_catalog.aclexplode(c.relacl) a
      WHERE c.oid = $1::int8::oid AND a.grantee <> c.relowner`,
    [oid],
  );
  return { ...row, options: row.options ?? [], grants: grants.rows };
}

/** Whether other views (or rules) read this view: then it cannot be dropped and created again alone. */
export async function hasReaders(q: Queryable, oid: number): Promise<boolean> {
  const { rows } = await q.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
      WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refobjid = $1::int8::oid AND r.ev_class <> $1::int8::oid) AS found`,
    [oid],
  );
  return rows[0]?.found === true;
}

const withOptions = (v: ViewRecord) => (v.options.length ? ` WITH (${v.options.join(", ")})` : "");

/** CREATE VIEW again from a record: the definition, options, comment, owner and grants. */
export async function createView(q: Queryable, v: ViewRecord, definition = v.definition): Promise<void> {
  const name = qualify(v.schema, v.name);
  await q.query(`CREATE VIEW ${name}${withOptions(v)} AS ${stripSemicolon(definition)}`);
  await restoreViewExtras(q, v);
}

async function restoreViewExtras(q: Queryable, v: ViewRecord): Promise<void> {
  const name = qualify(v.schema, v.name);
  if (v.comment !== null) await q.query(`COMMENT ON VIEW ${name} IS ${quoteLiteral(v.comment)}`);
  const me = await q.query<{ me: string }>("SELECT current_user::text AS me");
  if (me.rows[0]?.me !== v.owner) await q.query(`ALTER VIEW ${name} OWNER TO ${quoteIdent(v.owner)}`);
  for (const g of v.grants) {
    await q.query(
      `GRANT ${g.privilege} ON ${name} TO ${g.grantee === null ? "PUBLIC" : quoteIdent(g.grantee)}${g.grantable ? " WITH GRANT OPTION" : ""}`,
    );
  }
}

/** CREATE OR REPLACE VIEW with a new definition and the same options (which it would reset). */
export async function replaceView(q: Queryable, v: ViewRecord, definition: string): Promise<void> {
  await q.query(
    `CREATE OR REPLACE VIEW ${qualify(v.schema, v.name)}${withOptions(v)} AS ${stripSemicolon(definition)}`,
  );
}

export async function dropView(q: Queryable, v: { schema: string; name: string }): Promise<void> {
  await q.query(`DROP VIEW IF EXISTS ${qualify(v.schema, v.name)}`);
}

const stripSemicolon = (text: string) => text.trim().replace(/;$/, "");

/**
 * A view definition (as pg_get_viewdef prints it) with one more output column at the end of its
 * select list: `<the expression of the output column named from> AS "to"`, where `from` is
 * written as quote_ident prints it. Undefined when
 * the definition is not one plain SELECT (WITH, UNION, …) or has no output column of that name:
 * those views are left as they are.
 *
 * @example appendOutputColumn(" SELECT a.id,\n    a.first_name\n   FROM actor a;", "first_name", "given_name")
 * // 'SELECT a.id,\n    a.first_name,\n    a.first_name AS "given_name"\n   FROM actor a'
 */
export function appendOutputColumn(definition: string, from: string, to: string): string | undefined {
  // pg_get_viewdef prints a name bare when it is lower-case, plain and not a keyword: `from` is
  // passed as the server's quote_ident printed it.
  const text = stripSemicolon(definition);
  const start = text.match(/^\s*SELECT\s+/i);
  if (!start) return undefined;
  const top = topLevel(text);
  if (top.keywords.some((k) => /^(UNION|INTERSECT|EXCEPT)$/i.test(k.word))) return undefined;
  const fromAt = top.keywords.find(
    (k) => k.word.toUpperCase() === "FROM" && k.index >= start[0].length,
  )?.index;
  const listEnd = fromAt ?? text.length;
  const list = text.slice(start[0].length, listEnd);
  if (/^DISTINCT\b/i.test(list)) return undefined;
  const items = splitTopLevel(list);
  const name = from;
  let expression: string | undefined;
  for (const item of items.map((i) => i.trim())) {
    const as = item.match(/^([\s\S]*\S)\s+AS\s+("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)$/);
    if (as) {
      if (as[2] === name) expression = as[1];
    } else if (item === name || item.endsWith(`.${name}`)) {
      expression = item;
    }
  }
  if (!expression) return undefined;
  const trimmedEnd = list.replace(/\s+$/, "");
  const tail = list.slice(trimmedEnd.length);
  return `${text.slice(0, start[0].length)}${trimmedEnd},\n    ${expression} AS ${quoteIdent(to)}${tail}${text.slice(listEnd)}`;
}

/** Words outside parentheses, quotes and strings, with their positions. */
function topLevel(text: string): { keywords: { word: string; index: number }[] } {
  const keywords: { word: string; index: number }[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'" || c === '"') {
      i = closing(text, i, c);
    } else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (
      depth === 0 &&
      /[A-Za-z_]/.test(c) &&
      (i === 0 || !/[A-Za-z0-9_$."]/.test(text[i - 1] as string))
    ) {
      const word = text.slice(i).match(/^[A-Za-z_][A-Za-z0-9_$]*/)?.[0] ?? c;
      keywords.push({ word, index: i });
      i += word.length - 1;
    }
  }
  return { keywords };
}

function splitTopLevel(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i] as string;
    if (c === "'" || c === '"') i = closing(list, i, c);
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      out.push(list.slice(from, i));
      from = i + 1;
    }
  }
  out.push(list.slice(from));
  return out;
}

function closing(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] !== quote) continue;
    if (text[i + 1] === quote) i++;
    else return i;
  }
  return text.length;
}
