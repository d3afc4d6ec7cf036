import { z } from "zod";
import type { ActionDef, Inverse } from "../../types.js";
import type { Queryable } from "../client.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { qualify, SchemaName } from "../identifiers.js";
import { retryOptions, schemaOf, staticRisk } from "./common.js";
import { RelationName } from "./table-archive.js";
import { outsideDependents } from "./table-dependents.js";
import { forgetKept, KeptAs, type KeptView, readKept, slotOf, VIEW_BACKUP_TABLE } from "./view-backup.js";
import {
  defineView,
  qualified,
  recreateView,
  restoreDecorations,
  ViewConflictError,
  ViewDoesNotExistError,
  ViewReplaceError,
  viewRef,
} from "./view-state.js";

const Params = z.strictObject({ name: RelationName, schema: SchemaName, kept_as: KeptAs });
type Params = z.infer<typeof Params>;

const viewName = (p: Params) => (p.schema && p.schema !== "public" ? `${p.schema}.${p.name}` : p.name);
const undoesReplace = (p: Params) => p.kept_as?.startsWith("replaced_") === true;

/**
 * `postgres.restore_view`: the undo of drop_view and of replace_view. Puts the view back as it
 * was kept in `ma_backup_views` (query, options, comments, column defaults, triggers, rules,
 * owner, grants), then forgets what was kept; one transaction.
 *
 * After a drop, it creates the view again. After a replace (`kept_as: replaced_…`, which the
 * inverse of replace_view sets), it drops and creates the view again when nothing depends on it,
 * so that columns the replace added go too; when other views depend on it, it uses CREATE OR
 * REPLACE, which works unless the replace added columns.
 */
export const restoreView = {
  name: "postgres.restore_view",
  params: Params,
  // Documented static factors: a catalog change (complexity 0.2); readers of the view see the
  // kept query again (blast radius 0.3); drop_view undoes a restore after a drop (0.2); a view
  // holds no data (0.1).
  risk: staticRisk({
    complexity: 0.2,
    blast_radius: 0.3,
    reversibility_difficulty: 0.2,
    data_sensitivity: 0.1,
  }),
  hasInverse: (p: Params) => !undoesReplace(p),
  describe: (p: Params) =>
    `restore view ${viewName(p)} as it was before the ${undoesReplace(p) ? "replace" : "drop"}, from ${VIEW_BACKUP_TABLE}`,
  inverse: (p: Params): Inverse =>
    undoesReplace(p)
      ? { manual: `re-run the replace_view step of ${viewName(p)} to give it its new query again` }
      : { action: "postgres.drop_view", params: { ...p } },
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const slot = slotOf(p.kept_as);
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        const view = await viewRef(tx, schema, p.name);
        const kept = await readKept(tx, schema, p.name, slot);
        if (!kept) {
          if (view) return false; // restored already (a re-run), or never taken down
          throw new ViewDoesNotExistError(
            viewName(p),
            `nothing is kept for it in ${schema}.${VIEW_BACKUP_TABLE} (slot ${slot}): was it dropped by drop_view?`,
          );
        }
        if (view && !undoesReplace(p)) {
          throw new ViewConflictError(
            viewName(p),
            "restore",
            "a view of that name exists again (created since the drop), and its kept definition too; drop or rename it first",
          );
        }
        if (!view) await recreateView(tx, kept.state);
        else await putBackReplaced(tx, schema, p.name, view.oid, kept);
        await forgetKept(tx, schema, p.name, slot);
        return true;
      },
      retryOptions(context),
    );
    return {
      figures: { ...figures, changed: value },
      notes: value ? [] : [`${viewName(p)} is already there and nothing is kept for it: nothing done`],
    };
  },
  async verify(connection: PgConnection, p: Params) {
    const schema = schemaOf(p);
    if ((await viewRef(connection.client, schema, p.name)) === undefined) return false;
    return (await readKept(connection.client, schema, p.name, slotOf(p.kept_as))) === undefined;
  },
} satisfies ActionDef<Params, PgConnection>;

async function putBackReplaced(tx: Queryable, schema: string, name: string, oid: number, kept: KeptView) {
  await tx.query(`LOCK TABLE ${qualify(schema, name)} IN ACCESS EXCLUSIVE MODE`);
  const users = await outsideDependents(tx, oid);
  if (users.length === 0) {
    await tx.query(`DROP VIEW ${qualify(schema, name)}`);
    await recreateView(tx, kept.state);
    return;
  }
  try {
    await qualified(tx, async () => {
      await defineView(tx, schema, name, kept.state.definition, kept.state.options, true);
      await restoreDecorations(tx, kept.state);
    });
  } catch (error) {
    if (!(error instanceof ViewReplaceError)) throw error;
    throw new ViewConflictError(
      `${schema}.${name}`,
      "restore",
      `its previous query cannot be put back in place (${error.detail}), and it cannot be dropped and created ` +
        `again while ${users.join(", ")} depend${users.length === 1 ? "s" : ""} on it: drop those first (drop_view), restore this view, then restore them`,
    );
  }
}
