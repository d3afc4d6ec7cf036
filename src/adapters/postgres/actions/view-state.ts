import { randomBytes } from "node:crypto";
import { z } from "zod";
import { type Queryable, type SqlClient, sqlState } from "../client.js";
import { qualify, quoteIdent, quoteLiteral } from "../identifiers.js";
import { BOOKKEEPING_PREFIX } from "../user-objects.js";

/**
 * Everything of a view that CREATE VIEW does not bring back by itself, so that drop_view and
 * replace_view can put the view back exactly: its query (as pg_get_viewdef prints it with an
 * empty search_path, so every name is schema-qualified and reads the same whatever the search
 * path), its options (security_barrier, check_option, …), comments, column defaults, INSTEAD OF
 * triggers, rules, owner and grants.
 */
export interface ViewState {
  schema: string;
  name: string;
  definition: string;
  options: string[];
  comment: string | null;
  column_comments: Record<string, string>;
  column_defaults: Record<string, string>;
  /** CREATE TRIGGER statements, as pg_get_triggerdef prints them. */
  triggers: string[];
  /** CREATE RULE statements other than the view's own _RETURN rule. */
  rules: string[];
  owner: string;
  /** Grants to others than the owner; `grantee` null is PUBLIC. */
  grants: { grantee: string | null; privilege: string; grantable: boolean }[];
}

/**
 * The SQL of a view: a query (SELECT, WITH, VALUES, TABLE), one statement. It is sent alone with
 * the extended protocol, so a second statement smuggled in is refused by the server.
 */
export const ViewSql = z
  .string()
  .trim()
  .min(1, { error: "expected the view's query" })
  .max(200_000)
  .refine((sql) => /^\(*\s*(select|with|values|table)\b/i.test(sql), {
    error: "expected a query that starts with SELECT, WITH, VALUES or TABLE",
  })
  .refine((sql) => !sql.endsWith(";"), { error: "leave out the trailing ';'" })
  .meta({ description: "The view's query, such as SELECT id, email FROM users WHERE active." });

export interface ViewRef {
  oid: number;
  kind: "view" | "materialized view";
}

/** The view (or materialized view) of that name, or undefined. */
export async function viewRef(q: Queryable, schema: string, name: string): Promise<ViewRef | undefined> {
  const { rows } = await q.query<{ oid: number; relkind: string }>(
    `SELECT c.oid::int8::float8 AS oid, c.relkind::text AS relkind FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('v', 'm')`,
    [schema, name],
  );
  const row = rows[0];
  return row ? { oid: Number(row.oid), kind: row.relkind === "m" ? "materialized view" : "view" } : undefined;
}

/** Runs `fn` with an empty search_path (for this transaction), then puts the path back. */
export async function qualified<T>(tx: Queryable, fn: () => Promise<T>): Promise<T> {
  const { rows } = await tx.query<{ path: string }>("SELECT current_setting('search_path') AS path");
  await tx.query("SELECT set_config('search_path', '', true)");
  // Not in a `finally`: after an error the transaction is aborted, and rolls the setting back.
  const value = await fn();
  await tx.query("SELECT set_config('search_path', $1, true)", [rows[0]?.path ?? ""]);
  return value;
}

/** The view's query with every name schema-qualified: what two views are compared by. */
export async function viewDefinition(tx: Queryable, oid: number): Promise<string> {
  return qualified(tx, async () => {
    const { rows } = await tx.query<{ definition: string }>(
      "SELECT pg_catalog.pg_get_viewdef($1::int8::oid) AS definition",
      [oid],
    );
    return rows[0]?.definition ?? "";
  });
}

export async function captureView(
  tx: Queryable,
  schema: string,
  name: string,
  oid: number,
): Promise<ViewState> {
  return qualified(tx, async () => {
    const main = await tx.query<{
      definition: string;
      options: string[] | null;
      comment: string | null;
      owner: string;
    }>(
      `SELECT pg_catalog.pg_get_viewdef(c.oid) AS definition, c.reloptions::text[] AS options,
              pg_catalog.obj_description(c.oid, 'pg_class') AS comment, pg_catalog.pg_get_userbyid(c.relowner) AS owner
         FROM pg_catalog.pg_class c WHERE c.oid = $1::int8::oid`,
      [oid],
    );
    const columns = await tx.query<{ name: string; comment: string | null; default: string | null }>(
      `SELECT a.attname AS name, pg_catalog.col_description(a.attrelid, a.attnum) AS comment,
              pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default
         FROM pg_catalog.pg_attribute a
         LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = $1::int8::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [oid],
    );
    const triggers = await tx.query<{ statement: string }>(
      `SELECT pg_catalog.pg_get_triggerdef(g.oid) AS statement FROM pg_catalog.pg_trigger g
        WHERE g.tgrelid = $1::int8::oid AND NOT g.tgisinternal ORDER BY g.tgname`,
      [oid],
    );
    const rules = await tx.query<{ statement: string }>(
      `SELECT pg_catalog.pg_get_ruledef(r.oid) AS statement FROM pg_catalog.pg_rewrite r
        WHERE r.ev_class = $1::int8::oid AND r.rulename <> '_RETURN' ORDER BY r.rulename`,
      [oid],
    );
    const grants = await tx.query<{ grantee: string | null; privilege: string; grantable: boolean }>(
      `SELECT CASE WHEN x.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee,
              x.privilege_type AS privilege, x.is_grantable AS grantable
         FROM pg_catalog.pg_class c CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) x
        WHERE c.oid = $1::int8::oid AND x.grantee <> c.relowner ORDER BY 1, 2`,
      [oid],
    );
    const row = main.rows[0];
    if (!row) throw new Error(`view ${schema}.${name} vanished while it was being read`);
    return {
      schema,
      name,
      definition: row.definition,
      options: row.options ?? [],
      comment: row.comment,
      column_comments: Object.fromEntries(
        columns.rows.filter((c) => c.comment !== null).map((c) => [c.name, c.comment as string]),
      ),
      column_defaults: Object.fromEntries(
        columns.rows.filter((c) => c.default !== null).map((c) => [c.name, c.default as string]),
      ),
      triggers: triggers.rows.map((r) => r.statement),
      rules: rules.rows.map((r) => r.statement),
      owner: row.owner,
      grants: grants.rows,
    };
  });
}

/** `WITH (security_barrier=true)`, or nothing. Options are `name=value` pairs from reloptions. */
function withOptions(options: readonly string[]): string {
  if (!options.length) return "";
  const pairs = options.map((o) => {
    const [key = "", ...rest] = o.split("=");
    return `${quoteIdent(key)} = ${quoteLiteral(rest.join("="))}`;
  });
  return ` WITH (${pairs.join(", ")})`;
}

/** CREATE VIEW [OR REPLACE] with these options and this query (the query is the user's SQL or a kept definition). */
export async function defineView(
  tx: Queryable,
  schema: string,
  name: string,
  query: string,
  options: readonly string[],
  orReplace: boolean,
): Promise<void> {
  const body = query.trim().replace(/;$/, "");
  try {
    await tx.query(
      `CREATE ${orReplace ? "OR REPLACE " : ""}VIEW ${qualify(schema, name)}${withOptions(options)} AS ${body}`,
    );
  } catch (error) {
    // 42P16 invalid_table_definition: CREATE OR REPLACE VIEW may only add columns at the end.
    if (orReplace && sqlState(error) === "42P16") {
      throw new ViewReplaceError(`${schema}.${name}`, (error as Error).message);
    }
    throw error;
  }
}

/** Creates the view again from a kept state: query, options, comments, defaults, triggers, rules, owner, grants. */
export async function recreateView(tx: Queryable, state: ViewState): Promise<void> {
  const view = qualify(state.schema, state.name);
  await qualified(tx, async () => {
    await defineView(tx, state.schema, state.name, state.definition, state.options, false);
    await restoreDecorations(tx, state);
    for (const statement of [...state.triggers, ...state.rules]) await tx.query(statement);
    const { rows } = await tx.query<{ me: string }>("SELECT current_user::text AS me");
    if (rows[0]?.me !== state.owner) await tx.query(`ALTER VIEW ${view} OWNER TO ${quoteIdent(state.owner)}`);
    for (const g of state.grants) {
      await tx.query(
        `GRANT ${g.privilege} ON TABLE ${view} TO ${g.grantee === null ? "PUBLIC" : quoteIdent(g.grantee)}` +
          `${g.grantable ? " WITH GRANT OPTION" : ""}`,
      );
    }
  });
}

/** The view's and its columns' comments and column defaults, as kept. */
export async function restoreDecorations(tx: Queryable, state: ViewState): Promise<void> {
  const view = qualify(state.schema, state.name);
  await tx.query(
    `COMMENT ON VIEW ${view} IS ${state.comment === null ? "NULL" : quoteLiteral(state.comment)}`,
  );
  for (const [column, comment] of Object.entries(state.column_comments)) {
    await tx.query(`COMMENT ON COLUMN ${view}.${quoteIdent(column)} IS ${quoteLiteral(comment)}`);
  }
  for (const [column, expression] of Object.entries(state.column_defaults)) {
    await tx.query(`ALTER VIEW ${view} ALTER COLUMN ${quoteIdent(column)} SET DEFAULT ${expression}`);
  }
}

/**
 * What PostgreSQL makes of `sql` as a view in `schema` (its pg_get_viewdef, every name
 * qualified): a probe view is created and dropped again in the same transaction.
 */
export async function probeDefinition(tx: Queryable, schema: string, sql: string): Promise<string> {
  const probe = `${BOOKKEEPING_PREFIX}probe_${randomBytes(6).toString("hex")}`;
  await defineView(tx, schema, probe, sql, [], false);
  const ref = await viewRef(tx, schema, probe);
  const definition = ref ? await viewDefinition(tx, ref.oid) : "";
  await tx.query(`DROP VIEW ${qualify(schema, probe)}`);
  return definition;
}

class RolledBack<T> {
  constructor(readonly value: T) {}
}

/** Runs `fn` in a transaction that is always rolled back: for checks that create a probe. */
export async function inRolledBackTransaction<T>(
  client: SqlClient,
  fn: (tx: Queryable) => Promise<T>,
): Promise<T> {
  try {
    await client.transaction(async (tx) => {
      throw new RolledBack(await fn(tx));
    });
  } catch (outcome) {
    if (outcome instanceof RolledBack) return outcome.value as T;
    throw outcome;
  }
  throw new Error("unreachable: the probe transaction committed");
}

/** CREATE OR REPLACE VIEW could not take the new query. */
export class ViewReplaceError extends Error {
  constructor(
    readonly view: string,
    readonly detail: string,
  ) {
    super(
      `cannot replace view ${view}: ${detail}. CREATE OR REPLACE VIEW keeps the existing columns (same names, types and order) and may only add new ones at the end; to drop, rename or retype a column, use drop_view then create_view`,
    );
    this.name = "ViewReplaceError";
  }
}

export class ViewDoesNotExistError extends Error {
  constructor(
    readonly view: string,
    readonly hint: string,
  ) {
    super(`view ${view} does not exist: ${hint}`);
    this.name = "ViewDoesNotExistError";
  }
}

/** A view of that name exists and is not the one asked for, or something else holds the name. */
export class ViewConflictError extends Error {
  constructor(
    readonly view: string,
    readonly action: "create" | "restore",
    readonly detail: string,
  ) {
    super(`cannot ${action} view ${view}: ${detail}`);
    this.name = "ViewConflictError";
  }
}

/** A view drop_view will not drop, and why. */
export class ViewNotDroppableError extends Error {
  constructor(
    readonly view: string,
    readonly reason: string,
  ) {
    super(`cannot drop view ${view}: ${reason}`);
    this.name = "ViewNotDroppableError";
  }
}
