import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { qualify, SchemaName } from "../identifiers.js";
import { retryOptions, schemaOf, staticRisk } from "./common.js";
import { RelationName } from "./table-archive.js";
import { outsideDependents } from "./table-dependents.js";
import { KeptAs, keepView, readKept, slotOf, VIEW_BACKUP_TABLE } from "./view-backup.js";
import { captureView, ViewNotDroppableError, viewRef } from "./view-state.js";

const Params = z
  .strictObject({ name: RelationName, schema: SchemaName, kept_as: KeptAs })
  .refine((p) => !p.kept_as?.startsWith("replaced_"), {
    path: ["kept_as"],
    error:
      "a replaced view is put back by restore_view, not dropped: use created_<hash> or leave kept_as out",
  });
type Params = z.infer<typeof Params>;

const viewName = (p: Params) => (p.schema && p.schema !== "public" ? `${p.schema}.${p.name}` : p.name);

/**
 * `postgres.drop_view`: a contract step. Keeps everything of the view (query, options, comments,
 * column defaults, triggers, rules, owner, grants) in `ma_backup_views`, then drops it; one
 * transaction. restore_view creates it again exactly. It refuses a view that other views, or
 * functions over its row type, still use: dropping it would take them down too.
 */
export const dropView = {
  name: "postgres.drop_view",
  params: Params,
  // Documented static factors: a catalog change (complexity 0.2); every reader of the view breaks
  // (blast radius 0.6); restore_view puts it back from what was kept (0.2); a view holds no data
  // of its own (0.1).
  risk: staticRisk({
    complexity: 0.2,
    blast_radius: 0.6,
    reversibility_difficulty: 0.2,
    data_sensitivity: 0.1,
  }),
  hasInverse: () => true,
  describe: (p: Params) => `drop view ${viewName(p)}, keeping its definition in ${VIEW_BACKUP_TABLE}`,
  inverse: (p: Params) => ({ action: "postgres.restore_view", params: { ...p } }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const slot = slotOf(p.kept_as);
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        const view = await viewRef(tx, schema, p.name);
        if (!view) {
          const kept = await readKept(tx, schema, p.name, slot);
          return {
            changed: false,
            notes: [
              kept
                ? `${viewName(p)} is already dropped, its definition kept: nothing done`
                : `${viewName(p)} does not exist: nothing done`,
            ],
          };
        }
        if (view.kind !== "view") {
          throw new ViewNotDroppableError(
            viewName(p),
            "it is a materialized view: its rows would not be kept",
          );
        }
        await tx.query(`LOCK TABLE ${qualify(schema, p.name)} IN ACCESS EXCLUSIVE MODE`);
        const users = await outsideDependents(tx, view.oid);
        if (users.length) {
          throw new ViewNotDroppableError(
            viewName(p),
            `still used by ${users.join(", ")}; drop those first (drop_view each, the dependents before this one)`,
          );
        }
        const state = await captureView(tx, schema, p.name, view.oid);
        const note = await keepView(tx, schema, p.name, slot, { state, after: null });
        await tx.query(`DROP VIEW ${qualify(schema, p.name)}`);
        return { changed: true, notes: note ? [note] : [] };
      },
      retryOptions(context),
    );
    return {
      figures: { ...figures, changed: value.changed, kept_in: `${schema}.${VIEW_BACKUP_TABLE}` },
      notes: value.notes,
    };
  },
  async verify(connection: PgConnection, p: Params) {
    return (await viewRef(connection.client, schemaOf(p), p.name)) === undefined;
  },
} satisfies ActionDef<Params, PgConnection>;
