import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { TableDoesNotExistError } from "../errors.js";
import { Identifier, SchemaName } from "../identifiers.js";
import { tableOid } from "../introspect.js";
import { SqlExpression } from "../sql-fragments.js";
import { retryOptions, schemaOf, staticRisk, tableName, withSchema } from "./common.js";
import { constraintInfo, failingCheck } from "./constraint-catalog.js";
import { addNotValidThenValidate } from "./constraint-validate.js";
import { newProgress } from "./index-build.js";
import { shadowCheck } from "./index-shadow.js";

const Params = z.strictObject({
  table: Identifier,
  name: Identifier,
  expression: SqlExpression.meta({ description: "The CHECK expression, such as total_cents >= 0." }),
  schema: SchemaName,
});
type Params = z.infer<typeof Params>;

const withoutNotValid = (definition: string) => definition.replace(/ NOT VALID$/, "");

/**
 * `postgres.add_check_constraint`: ADD CONSTRAINT … CHECK (…) NOT VALID (a brief ACCESS EXCLUSIVE
 * lock, no scan; new rows are checked from then on), then VALIDATE CONSTRAINT in its own
 * transaction (a scan under SHARE UPDATE EXCLUSIVE, which blocks neither reads nor writes).
 * Rows that fail it: the error counts them and the table is left as it was.
 */
export const addCheckConstraint = {
  name: "postgres.add_check_constraint",
  params: Params,
  // Documented static factors: two short statements and a scan (complexity 0.3); writes that
  // break the rule start failing (blast radius 0.4); drop_constraint undoes it (0.1); data is
  // read, not changed (0.1).
  risk: staticRisk({
    complexity: 0.3,
    blast_radius: 0.4,
    reversibility_difficulty: 0.1,
    data_sensitivity: 0.1,
  }),
  hasInverse: () => true,
  describe: (p: Params) =>
    `add check constraint ${p.name} on ${tableName(p)}: ${p.expression} (NOT VALID, then VALIDATE)`,
  inverse: (p: Params) => ({
    action: "postgres.drop_constraint",
    params: { table: p.table, name: p.name, ...withSchema(p) },
  }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const progress = newProgress();
    if ((await tableOid(connection.client, schema, p.table)) === undefined) {
      throw new TableDoesNotExistError(schema, p.table);
    }
    // As PostgreSQL prints it, to recognise the constraint when it is already there.
    const wanted = await shadowCheck(connection, schema, p.table, p.expression);
    const did = await addNotValidThenValidate(
      connection,
      {
        schema,
        table: p.table,
        tableLabel: tableName(p),
        name: p.name,
        body: `CHECK (${p.expression})`,
        what: `check constraint ${p.name} (${p.expression})`,
        matches: (e) => e.type === "c" && withoutNotValid(e.definition) === wanted,
        violation: "23514",
        problem: "rows fail the check",
        countViolations: () => failingCheck(connection.client, schema, p.table, p.expression),
      },
      progress,
      retryOptions(context),
    );
    if (did === "none")
      progress.notes.push(`check constraint ${p.name} is already there and valid: nothing done`);
    return { figures: { ...progress.figures, changed: did !== "none" }, notes: progress.notes };
  },
  async verify(connection: PgConnection, p: Params) {
    const schema = schemaOf(p);
    const oid = await tableOid(connection.client, schema, p.table);
    if (oid === undefined) return false;
    const existing = await constraintInfo(connection.client, oid, p.name);
    if (existing?.type !== "c" || !existing.validated) return false;
    return existing.definition === (await shadowCheck(connection, schema, p.table, p.expression));
  },
} satisfies ActionDef<Params, PgConnection>;
