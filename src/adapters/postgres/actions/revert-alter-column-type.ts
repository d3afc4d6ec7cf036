import { shadowColumnName } from "../../../core/catalog/shadow-column.js";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { tableName, withSchema } from "./common.js";
import { alterReached, revertContractAlter, revertExpandAlter } from "./expand-alter-type.js";
import { AlterTypeParams } from "./expand-params.js";
import { expandContractRisk } from "./rename-column.js";

type Params = AlterTypeParams;

/**
 * `postgres.revert_alter_column_type`: the undo of one stage of alter_column_type, same params.
 * Stage expand: the trigger, its function and the shadow column dropped (the source state).
 * Stage contract: the old column restored from its backup with its constraints, indexes and
 * comment, the new one back under the shadow's name, the views and the trigger (the post-expand
 * state).
 */
export const revertAlterColumnType = {
  name: "postgres.revert_alter_column_type",
  params: AlterTypeParams,
  // Documented static factors: undoing the expand drops an unused column (0.3, 0.2); undoing the
  // contract rewrites the table under ACCESS EXCLUSIVE to put the old column back (complexity
  // 0.5, blast radius 0.6) and is redone by contracting again (0.3).
  risk: expandContractRisk(
    { complexity: 0.3, blast_radius: 0.3, reversibility_difficulty: 0.2, data_sensitivity: 0.3 },
    { complexity: 0.5, blast_radius: 0.6, reversibility_difficulty: 0.3, data_sensitivity: 0.6 },
  ),
  hasInverse: () => true,
  describe: (p: Params) =>
    p.stage === "expand"
      ? `undo the expand of ${tableName(p)}.${p.column} → ${p.type}: drop ${shadowColumnName(p.column)} and its trigger`
      : `undo the contract of ${tableName(p)}.${p.column} → ${p.type}: restore the old column from its backup`,
  inverse: (p: Params) => ({
    action: "postgres.alter_column_type",
    params: {
      table: p.table,
      column: p.column,
      type: p.type,
      ...(p.using ? { using: p.using } : {}),
      stage: p.stage,
      ...(p.backfill === false ? { backfill: false } : {}),
      ...withSchema(p),
    },
  }),
  apply: (connection: PgConnection, p: Params, context) =>
    p.stage === "expand"
      ? revertExpandAlter(connection, p, context)
      : revertContractAlter(connection, p, context),
  verify: (connection: PgConnection, p: Params) =>
    alterReached(connection, p, p.stage === "expand" ? "none" : "expanded"),
} satisfies ActionDef<Params, PgConnection>;
