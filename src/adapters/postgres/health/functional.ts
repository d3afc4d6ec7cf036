import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import type { HealthCheck } from "../../../core/blueprint/schema.js";
import type { PgConnection } from "../connection.js";
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

const Params = z.strictObject({
  sql: NonEmptySql,
  /** The value the first column of the first row must have; true unless given. */
  expect: z.unknown().optional(),
});

/** A key query still works: it returns true, or the value in `expect`. */
export async function functional(connection: PgConnection, check: HealthCheck): Promise<CheckOutcome> {
  const params = parseParams(Params, check.params);
  if (!params.ok) return params.outcome;
  const { sql, expect = true } = params.value;
  const { rows } = await withTimeout(
    readOnly(connection.client, (tx) => tx.query(sql)),
    timeoutOf(check, 30_000),
  );
  const value = firstValue(rows);
  const figures = { rows: rows.length, value: show(value) };
  return matches(value, expect)
    ? pass(`the query returned ${show(value)}, as expected`, figures)
    : fail(`the query returned ${rows.length ? show(value) : "no rows"}, expected ${show(expect)}`, figures);
}

/**
 * Drivers differ in how they return numbers (node-postgres gives bigint and numeric as strings),
 * so a number or a string compares by its text; anything else compares deeply.
 */
function matches(value: unknown, expect: unknown): boolean {
  const scalar = (v: unknown) => typeof v === "number" || typeof v === "string" || typeof v === "bigint";
  if (scalar(value) && scalar(expect)) return String(value) === String(expect);
  if (value instanceof Date && typeof expect === "string") return value.getTime() === Date.parse(expect);
  return isDeepStrictEqual(value, expect);
}
