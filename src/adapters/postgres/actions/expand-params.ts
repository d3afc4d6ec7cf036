import { z } from "zod";
import { Identifier, SchemaName } from "../identifiers.js";
import { SqlExpression, SqlType } from "../sql-fragments.js";

const Stage = z.enum(["expand", "contract"]).meta({
  description: "expand: old and new side by side; contract: the old shape goes (the point of no return)",
});
const batchSize = z
  .int()
  .min(10)
  .max(50_000)
  .optional()
  .meta({ description: "The backfill's first batch size." });
const targetBatchMs = z
  .int()
  .min(10)
  .max(60_000)
  .optional()
  .meta({ description: "The backfill's batch duration." });

/** The params of postgres.rename_column and of its undo, postgres.revert_rename_column. */
export const RenameParams = z
  .strictObject({
    table: Identifier,
    from: Identifier,
    to: Identifier,
    stage: Stage,
    batch_size: batchSize,
    target_batch_ms: targetBatchMs,
    schema: SchemaName,
  })
  .refine((p) => p.from !== p.to, { error: "from and to are the same name" });
export type RenameParams = z.infer<typeof RenameParams>;

/** The params of postgres.alter_column_type and of its undo, postgres.revert_alter_column_type. */
export const AlterTypeParams = z.strictObject({
  table: Identifier,
  column: Identifier,
  type: SqlType,
  using: SqlExpression.optional().meta({
    description: "The new value from the row's old one, such as quantity::bigint (default: column::type).",
  }),
  stage: Stage,
  backfill: z.boolean().optional().meta({
    description:
      "false: the expand adds the shadow column and the sync trigger only; a postgres.backfill step copies the rows (set: { <column>_ma_new: <using> }), and the contract checks every row agrees before it swaps (default true: the expand copies them itself)",
  }),
  batch_size: batchSize,
  target_batch_ms: targetBatchMs,
  schema: SchemaName,
});
export type AlterTypeParams = z.infer<typeof AlterTypeParams>;
