import type { RiskValues } from "../../../core/catalog/catalog.js";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { schemaOf, tableName, withSchema } from "./common.js";
import { RenameParams } from "./expand-params.js";
import { contractRename, expandRename, renameReached } from "./expand-rename.js";

type Params = RenameParams;

/**
 * Documented static factors per stage. expand: a new column, a trigger and a batched copy
 * (complexity 0.5), every writer of the table runs the trigger (blast radius 0.4), its undo drops
 * what it added (0.2), the column's data is copied (0.4). contract: the point of no return of the
 * operation (DESIGN.md §4): applications still using the old name break (blast radius 0.8), the
 * undo renames back and rebuilds the copy (reversibility 0.7); composite 0.7 and above with the
 * data factor, so that it needs an approval.
 */
export const expandContractRisk =
  (expand: RiskValues, contract: RiskValues) =>
  (params: unknown): RiskValues =>
    (params as { stage?: unknown } | null)?.stage === "contract" ? contract : expand;

/**
 * `postgres.rename_column`: a rename in two steps (expand-rename.ts). expand: the new column
 * beside the old, kept equal by a two-way trigger, backfilled, and offered by the views that
 * output the old one; contract: the old name goes, the values stay (the old column's storage is
 * renamed; the copy, checked equal, is dropped).
 */
export const renameColumn = {
  name: "postgres.rename_column",
  params: RenameParams,
  risk: expandContractRisk(
    { complexity: 0.5, blast_radius: 0.4, reversibility_difficulty: 0.2, data_sensitivity: 0.4 },
    { complexity: 0.5, blast_radius: 0.8, reversibility_difficulty: 0.7, data_sensitivity: 0.8 },
  ),
  hasInverse: () => true,
  describe: (p: Params) =>
    p.stage === "expand"
      ? `rename ${tableName(p)}.${p.from} to ${p.to}, expand: add ${p.to} beside ${p.from}, sync both ways, backfill, extend the views`
      : `rename ${tableName(p)}.${p.from} to ${p.to}, contract: drop the old name (the values stay under ${p.to})`,
  inverse: (p: Params) => ({
    action: "postgres.revert_rename_column",
    params: { table: p.table, from: p.from, to: p.to, stage: p.stage, ...withSchema(p) },
  }),
  apply: (connection: PgConnection, p: Params, context) =>
    p.stage === "expand" ? expandRename(connection, p, context) : contractRename(connection, p, context),
  verify: (connection: PgConnection, p: Params) =>
    renameReached(
      connection,
      { ...p, schema: schemaOf(p) },
      p.stage === "expand" ? "expanded" : "contracted",
    ),
} satisfies ActionDef<Params, PgConnection>;
