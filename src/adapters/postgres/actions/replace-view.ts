import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { SchemaName } from "../identifiers.js";
import { retryOptions, schemaOf, staticRisk, withSchema } from "./common.js";
import { RelationName } from "./table-archive.js";
import { keepView, readKept, sqlHash, VIEW_BACKUP_TABLE } from "./view-backup.js";
import {
  captureView,
  defineView,
  ViewDoesNotExistError,
  ViewSql,
  viewDefinition,
  viewRef,
} from "./view-state.js";

const Params = z.strictObject({ name: RelationName, sql: ViewSql, schema: SchemaName });
type Params = z.infer<typeof Params>;

const viewName = (p: Params) => (p.schema && p.schema !== "public" ? `${p.schema}.${p.name}` : p.name);

/**
 * `postgres.replace_view`: CREATE OR REPLACE VIEW with a new query, in place, so that views and
 * grants that depend on the view stay. The previous state (query, options, comments, …) is kept
 * first in `ma_backup_views`, under a slot named after this SQL; restore_view puts it back. The
 * view's options (security_barrier, check_option) are kept across the replace.
 *
 * CREATE OR REPLACE can only add columns at the end: a query that drops, renames or retypes a
 * column is refused with a clear error (use drop_view then create_view).
 */
export const replaceView = {
  name: "postgres.replace_view",
  params: Params,
  // Documented static factors: one statement under a short ACCESS EXCLUSIVE lock (complexity 0.3);
  // every reader of the view sees the new query at once (blast radius 0.5); restore_view puts the
  // previous query back (0.2); results change, data does not (0.3).
  risk: staticRisk({
    complexity: 0.3,
    blast_radius: 0.5,
    reversibility_difficulty: 0.2,
    data_sensitivity: 0.3,
  }),
  hasInverse: () => true,
  describe: (p: Params) => `replace the query of view ${viewName(p)}, keeping the previous one`,
  inverse: (p: Params) => ({
    action: "postgres.restore_view",
    params: { name: p.name, ...withSchema(p), kept_as: `replaced_${sqlHash(p.sql)}` },
  }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const slot = `replaced_${sqlHash(p.sql)}`;
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        const view = await viewRef(tx, schema, p.name);
        if (view?.kind !== "view") {
          throw new ViewDoesNotExistError(
            viewName(p),
            "replace_view changes an existing view; use create_view",
          );
        }
        const kept = await readKept(tx, schema, p.name, slot);
        const current = await captureView(tx, schema, p.name, view.oid);
        // Kept by this very step, and the view still has the query it gave it: a re-run.
        if (kept && kept.after === current.definition) return { changed: false, note: undefined };
        await defineView(tx, schema, p.name, p.sql, current.options, true);
        const after = await viewDefinition(tx, view.oid);
        const note = await keepView(tx, schema, p.name, slot, { state: current, after });
        return { changed: true, note };
      },
      retryOptions(context),
    );
    const notes = value.changed
      ? [`previous definition of ${viewName(p)} kept in ${schema}.${VIEW_BACKUP_TABLE}`]
      : [`${viewName(p)} already has this query: nothing done`];
    if (value.note) notes.push(value.note);
    return { figures: { ...figures, changed: value.changed }, notes };
  },
  async verify(connection: PgConnection, p: Params) {
    const schema = schemaOf(p);
    const view = await viewRef(connection.client, schema, p.name);
    const kept = await readKept(connection.client, schema, p.name, `replaced_${sqlHash(p.sql)}`);
    if (view?.kind !== "view" || !kept) return false;
    return connection.client.transaction(async (tx) => (await viewDefinition(tx, view.oid)) === kept.after);
  },
} satisfies ActionDef<Params, PgConnection>;
