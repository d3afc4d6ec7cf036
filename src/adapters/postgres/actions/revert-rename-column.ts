import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { schemaOf, tableName, withSchema } from "./common.js";
import { RenameParams } from "./expand-params.js";
import { renameReached, revertContractRename, revertExpandRename } from "./expand-rename.js";
import { expandContractRisk } from "./rename-column.js";

type Params = RenameParams;

/**
 * `postgres.revert_rename_column`: the undo of one stage of rename_column, same params. Stage
 * expand: the views back to their definitions, the trigger, its function and the new column gone
 * (the source state exactly). Stage contract: the column renamed back and the expand run again
 * (the new column rebuilt from the old one's values, the trigger), which is the post-expand state.
 */
export const revertRenameColumn = {
  name: "postgres.revert_rename_column",
  params: RenameParams,
  // Documented static factors: undoing the expand drops a column nobody should use yet (0.3
  // blast radius, easy to redo: 0.2); undoing the contract rebuilds the copy with a backfill
  // (complexity 0.5, blast radius 0.5) and is redone by contracting again (0.3).
  risk: expandContractRisk(
    { complexity: 0.3, blast_radius: 0.3, reversibility_difficulty: 0.2, data_sensitivity: 0.3 },
    { complexity: 0.5, blast_radius: 0.5, reversibility_difficulty: 0.3, data_sensitivity: 0.4 },
  ),
  hasInverse: () => true,
  describe: (p: Params) =>
    p.stage === "expand"
      ? `undo the expand of the rename ${tableName(p)}.${p.from} → ${p.to}: drop ${p.to}, its trigger and the views' new column`
      : `undo the contract of the rename ${tableName(p)}.${p.from} → ${p.to}: rename back, rebuild ${p.to} beside it`,
  inverse: (p: Params) => ({
    action: "postgres.rename_column",
    params: { table: p.table, from: p.from, to: p.to, stage: p.stage, ...withSchema(p) },
  }),
  apply: (connection: PgConnection, p: Params, context) =>
    p.stage === "expand"
      ? revertExpandRename(connection, p, context)
      : revertContractRename(connection, p, context),
  verify: (connection: PgConnection, p: Params) =>
    renameReached(connection, { ...p, schema: schemaOf(p) }, p.stage === "expand" ? "none" : "expanded"),
} satisfies ActionDef<Params, PgConnection>;
