/**
 * Which catalog objects are the user's: not PostgreSQL's own schemas, not an extension's members,
 * and not this adapter's bookkeeping (the `ma_backup_…` tables drop_column keeps). Snapshots and
 * discovery describe exactly these, so a backup left behind never makes a rollback look unfinished.
 */

/** `n` is pg_namespace: a schema the user owns the contents of. */
export const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

/** The prefix of the tables this adapter creates in the user's schemas. */
export const BOOKKEEPING_PREFIX = "ma_backup_";

/** `c` is pg_class: a relation of the user's, not one of ours and not an extension's. */
export const USER_RELATION = `${USER_SCHEMA}
  AND c.relname NOT LIKE 'ma\\_backup\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                   WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')`;
