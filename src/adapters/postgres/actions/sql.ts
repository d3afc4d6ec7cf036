import { z } from "zod";
import { destructiveStatement } from "../../../core/risk/destructive-sql.js";
import { redactConnection } from "../../connection-string.js";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runScript } from "../ddl.js";
import { firstValue } from "../health/result.js";
import { retryOptions } from "./common.js";

const Params = z.strictObject({
  sql: z.string().trim().min(1, { error: "expected SQL" }),
  verify: z
    .string()
    .trim()
    .min(1)
    .optional()
    .meta({ description: "A query that returns true once the SQL's effect is in place." }),
});
type Params = z.infer<typeof Params>;

/** Scripts this process ran successfully, per connection: what `verify` knows without a verify query. */
const ran = new WeakMap<PgConnection, Set<string>>();

/**
 * `postgres.sql`: raw SQL, run as a script outside an explicit transaction (so it may hold its own,
 * or CREATE INDEX CONCURRENTLY), with the session's lock_timeout and the same retries as every
 * DDL statement. It has no automatic undo: the step's rollback is another postgres.sql.
 *
 * Idempotence is the author's: with `verify` (a query returning true once the effect is in
 * place) a resumed run skips what is done; without it, a step interrupted by a crash runs again,
 * so write it to be re-runnable (IF NOT EXISTS, WHERE … IS NULL).
 */
export const sql = {
  name: "postgres.sql",
  params: Params,
  // Documented factors: anything can be in it (complexity 0.8), it can touch any table (blast
  // radius 0.6), its undo is whatever the author wrote (0.5), and it may touch any data (0.5):
  // composite 0.62, below the approval threshold, flagged by the MA6xx lint instead. A script
  // that destroys data or a table (TRUNCATE, DELETE, DROP TABLE / COLUMN) cannot be undone by
  // other SQL (1.0) and takes data with it (0.9): composite 0.80, so it always needs approval —
  // raw SQL is no way around the gate on drop_table and drop_column.
  risk: (params: unknown) =>
    destructiveStatement(typeof (params as Params)?.sql === "string" ? (params as Params).sql : "")
      ? { complexity: 0.8, blast_radius: 0.6, reversibility_difficulty: 1, data_sensitivity: 0.9 }
      : { complexity: 0.8, blast_radius: 0.6, reversibility_difficulty: 0.5, data_sensitivity: 0.5 },
  hasInverse: (_params: unknown) => false,
  describe: (p: Params) => `run SQL: ${oneLine(p.sql)}`,
  inverse: (_params: Params) => ({
    manual: "postgres.sql has no automatic undo: give the step a rollback with another postgres.sql step",
  }),
  async apply(connection: PgConnection, p: Params, context) {
    const { figures } = await runScript(connection, p.sql, retryOptions(context));
    const done = ran.get(connection) ?? new Set<string>();
    ran.set(connection, done);
    done.add(p.sql);
    return { figures };
  },
  async verify(connection: PgConnection, p: Params) {
    if (p.verify) {
      const { rows } = await connection.client.query(p.verify);
      return firstValue(rows) === true;
    }
    return ran.get(connection)?.has(p.sql) ?? false;
  },
} satisfies ActionDef<Params, PgConnection>;

/** The SQL on one line, short, with passwords hidden (`PASSWORD '…'` as well as `password=…`). */
function oneLine(text: string): string {
  const line = redactConnection(text.replace(/\s+/g, " ").trim()).replace(
    /\b(PASSWORD)\s+(E?'(?:[^']|'')*'|\$(\w*)\$[\s\S]*?\$\3\$)/gi,
    "$1 '***'",
  );
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}
