import { z } from "zod";
import type { HealthCheck } from "../../../core/blueprint/schema.js";
import type { PgConnection } from "../connection.js";
import { Identifier } from "../identifiers.js";
import { stableTextSettings, tableChecksum, tableShape } from "../snapshot.js";
import {
  type CheckOutcome,
  fail,
  firstValue,
  NonEmptySql,
  parseParams,
  pass,
  readOnly,
  show,
  timeoutOf,
  withTimeout,
} from "./result.js";

const Params = z.union([
  z.strictObject({
    table: Identifier,
    schema: Identifier.optional(),
    /** At least this many rows. */
    min_rows: z.int().min(0).optional(),
    /** Exactly this many rows. */
    expect_rows: z.int().min(0).optional(),
  }),
  z.strictObject({ sql: NonEmptySql }),
]);

/**
 * `{ table }`: the table's (or view's) row count and checksum, the same as the snapshot's,
 * with optional `min_rows` / `expect_rows`; `{ sql }`: a query that returns true when the data is
 * sound (old and new columns equal under the transform, no orphan rows, …).
 */
export async function dataIntegrity(connection: PgConnection, check: HealthCheck): Promise<CheckOutcome> {
  const params = parseParams(Params, check.params);
  if (!params.ok) return params.outcome;
  const timeout = timeoutOf(check, 60_000);
  const p = params.value;
  if ("sql" in p) {
    const { rows } = await withTimeout(
      readOnly(connection.client, (tx) => tx.query(p.sql)),
      timeout,
    );
    const value = firstValue(rows);
    return value === true
      ? pass("the integrity query returned true", { value: true })
      : fail(`the integrity query returned ${show(value)}, not true`, { value: show(value) });
  }
  const schema = p.schema ?? "public";
  const figures = await withTimeout(
    readOnly(connection.client, async (tx) => {
      await stableTextSettings(tx);
      const shape = await tableShape(tx, schema, p.table);
      if (!shape) return undefined;
      // The same checksum as the rollback's snapshot: one figure to compare across a run.
      const checksum = await tableChecksum(tx, shape);
      return { rows: Number(checksum.split(":")[0]), checksum };
    }),
    timeout,
  );
  if (!figures) return fail(`table ${schema}.${p.table} does not exist`);
  if (p.expect_rows !== undefined && figures.rows !== p.expect_rows) {
    return fail(`${schema}.${p.table} has ${figures.rows} rows, expected ${p.expect_rows}`, figures);
  }
  if (p.min_rows !== undefined && figures.rows < p.min_rows) {
    return fail(`${schema}.${p.table} has ${figures.rows} rows, fewer than ${p.min_rows}`, figures);
  }
  return pass(`${schema}.${p.table}: ${figures.rows} rows, checksum ${figures.checksum}`, figures);
}
