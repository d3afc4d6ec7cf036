import { z } from "zod";
import type { Queryable } from "../client.js";
import { TableDoesNotExistError } from "../errors.js";
import { Identifier, SchemaName } from "../identifiers.js";
import { columnInfo, primaryKey, tableOid } from "../introspect.js";
import { SqlExpression } from "../sql-fragments.js";
import { tableName } from "./common.js";
import { BackfillNeedsKeyError, InvalidColumnChangeError } from "./expand-errors.js";

/** The params of postgres.backfill and of its undo, postgres.revert_backfill (the same params). */
export const BackfillParams = z.strictObject({
  table: Identifier,
  set: z
    .record(Identifier, SqlExpression)
    .refine((s) => Object.keys(s).length > 0, { error: "set at least one column" })
    .meta({
      description: "column → SQL expression over the row, such as { amount_cents: '(amount * 100)::int' }",
    }),
  where: SqlExpression.optional().meta({ description: "Only the rows where this is true." }),
  batch_size: z
    .int()
    .min(10)
    .max(50_000)
    .optional()
    .meta({ description: "The first batch's size (default 1000)." }),
  target_batch_ms: z
    .int()
    .min(10)
    .max(60_000)
    .optional()
    .meta({ description: "The batch duration the size adapts to (default 200ms)." }),
  triggers: z.enum(["fire", "skip"]).optional().meta({
    description:
      "fire (default): the table's triggers run for every row, as for any UPDATE; skip: session_replication_role = replica (needs the privilege), so that audit or last-updated triggers do not touch the rows",
  }),
  schema: SchemaName,
});
export type BackfillParams = z.infer<typeof BackfillParams>;

export const DEFAULT_BATCH_SIZE = 1000;
export const DEFAULT_TARGET_BATCH_MS = 200;

/**
 * The table's oid and primary key, after checking that every column to set exists, is not a key
 * column nor generated, and, when triggers are skipped, is not under a foreign key (skipping
 * triggers skips its checks too).
 */
export async function checkBackfillTarget(
  q: Queryable,
  schema: string,
  p: BackfillParams,
): Promise<{ oid: number; keys: string[] }> {
  const oid = await tableOid(q, schema, p.table);
  if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
  const keys = await primaryKey(q, oid);
  if (keys.length === 0) throw new BackfillNeedsKeyError(tableName(p));
  for (const name of Object.keys(p.set)) {
    const refuse = (reason: string) => new InvalidColumnChangeError(tableName(p), name, reason);
    const column = await columnInfo(q, oid, name);
    if (!column) throw refuse("no such column; add it first (postgres.add_column)");
    if (keys.includes(name))
      throw refuse("a primary-key column cannot be backfilled: the batches page by it");
    if (column.generated || column.identity) throw refuse("generated and identity columns cannot be set");
    if (p.triggers === "skip") {
      const { rows } = await q.query<{ name: string }>(
        `SELECT k.conname AS name FROM pg_catalog.pg_constraint k
          WHERE k.contype = 'f' AND ((k.conrelid = $1::int8::oid AND $2 = ANY(k.conkey))
                                  OR (k.confrelid = $1::int8::oid AND $2 = ANY(k.confkey)))`,
        [oid, column.attnum],
      );
      if (rows.length) {
        throw refuse(
          `triggers: skip would bypass the foreign key ${rows.map((r) => r.name).join(", ")}; use triggers: fire`,
        );
      }
    }
  }
  return { oid, keys };
}
