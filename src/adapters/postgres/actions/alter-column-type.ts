import { shadowColumnName } from "../../../core/catalog/shadow-column.js";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { tableName, withSchema } from "./common.js";
import { alterReached, contractAlter, expandAlter } from "./expand-alter-type.js";
import { AlterTypeParams } from "./expand-params.js";
import { expandContractRisk } from "./rename-column.js";

type Params = AlterTypeParams;

/**
 * `postgres.alter_column_type`: a type change without a table rewrite under lock, in two steps
 * (expand-alter-type.ts). expand: a shadow column of the new type, a two-way sync trigger, a
 * batched backfill (or, with `backfill: false`, none: a postgres.backfill step of its own copies
 * the rows); contract: the old column's values kept in a backup, the shadow swapped in
 * under the column's name (catalog-only), constraints, indexes and views carried over.
 */
export const alterColumnType = {
  name: "postgres.alter_column_type",
  params: AlterTypeParams,
  // Documented static factors per stage. expand: a column, a trigger and a batched copy with a
  // conversion (complexity 0.6), every writer runs the trigger (0.4), its undo drops them (0.2),
  // the data is converted (0.5). contract: the swap takes an ACCESS EXCLUSIVE lock and copies
  // the old values under a SHARE lock (blast radius 0.8), its undo restores from that copy (0.7),
  // the column's data (0.8): composite 0.73, above the approval threshold.
  risk: expandContractRisk(
    { complexity: 0.6, blast_radius: 0.4, reversibility_difficulty: 0.2, data_sensitivity: 0.5 },
    { complexity: 0.6, blast_radius: 0.8, reversibility_difficulty: 0.7, data_sensitivity: 0.8 },
  ),
  hasInverse: () => true,
  describe: (p: Params) =>
    p.stage === "expand"
      ? `change ${tableName(p)}.${p.column} to ${p.type}, expand: add ${shadowColumnName(p.column)} ${p.type} = ${p.using ?? `${p.column}::${p.type}`}, sync both ways, ${p.backfill === false ? "the rows copied by a postgres.backfill step" : "backfill"}`
      : `change ${tableName(p)}.${p.column} to ${p.type}, contract: back up the old values, swap ${shadowColumnName(p.column)} in`,
  inverse: (p: Params) => ({
    action: "postgres.revert_alter_column_type",
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
    p.stage === "expand" ? expandAlter(connection, p, context) : contractAlter(connection, p, context),
  verify: (connection: PgConnection, p: Params) =>
    alterReached(connection, p, p.stage === "expand" ? "expanded" : "contracted"),
} satisfies ActionDef<Params, PgConnection>;
