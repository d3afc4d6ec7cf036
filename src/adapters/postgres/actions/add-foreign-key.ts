import { z } from "zod";
import type { ActionDef, StepContext } from "../../types.js";
import { sqlState } from "../client.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { TableDoesNotExistError } from "../errors.js";
import { Identifier, qualify, quoteIdent, SchemaName } from "../identifiers.js";
import { tableOid } from "../introspect.js";
import { retryOptions, schemaOf, staticRisk, tableName, withSchema } from "./common.js";
import { type ConstraintInfo, constraintInfo, orphanRows } from "./constraint-catalog.js";
import { ViolatingRowsError } from "./constraint-errors.js";
import { addNotValidThenValidate, type NotValidThenValidate } from "./constraint-validate.js";
import { addFigures, newProgress, type Progress } from "./index-build.js";
import { relkindOf } from "./index-catalog.js";
import { derivedName } from "./index-naming.js";

const ON_DELETE = {
  "no action": "a",
  restrict: "r",
  cascade: "c",
  "set null": "n",
  "set default": "d",
} as const;

const Params = z
  .strictObject({
    table: Identifier,
    columns: z.array(Identifier).min(1, { error: "expected at least one column" }),
    references: z.strictObject({
      table: Identifier,
      columns: z.array(Identifier).min(1, { error: "expected at least one referenced column" }),
      schema: SchemaName,
    }),
    name: Identifier.optional().meta({ description: "Default: <table>_<columns>_fkey, within 63 bytes." }),
    on_delete: z
      .enum(["no action", "restrict", "cascade", "set null", "set default"])
      .optional()
      .meta({ description: "Default: no action." }),
    schema: SchemaName,
  })
  .refine((p) => p.columns.length === p.references.columns.length, {
    error: "columns and references.columns must have as many names",
    path: ["references", "columns"],
  });
type Params = z.infer<typeof Params>;

export const foreignKeyNameOf = (p: Params) => p.name ?? derivedName(p.table, p.columns, "fkey");

const refName = (p: Params) => tableName({ schema: p.references.schema, table: p.references.table });

function body(p: Params): string {
  return (
    `FOREIGN KEY (${p.columns.map(quoteIdent).join(", ")}) ` +
    `REFERENCES ${qualify(schemaOf(p.references), p.references.table)} (${p.references.columns.map(quoteIdent).join(", ")})` +
    `${p.on_delete ? ` ON DELETE ${p.on_delete.toUpperCase()}` : ""}`
  );
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function matches(p: Params, e: ConstraintInfo): boolean {
  return (
    e.type === "f" &&
    same(e.columns, p.columns) &&
    e.ref_schema === schemaOf(p.references) &&
    e.ref_table === p.references.table &&
    same(e.ref_columns, p.references.columns) &&
    e.on_delete === ON_DELETE[p.on_delete ?? "no action"] &&
    e.on_update === "a" &&
    e.match === "s" &&
    !e.deferrable
  );
}

/**
 * `postgres.add_foreign_key`: ADD CONSTRAINT … FOREIGN KEY … NOT VALID (a brief SHARE ROW
 * EXCLUSIVE lock on both tables, no scan), then VALIDATE CONSTRAINT in its own transaction
 * (SHARE UPDATE EXCLUSIVE on the table: reads and writes go on). Rows whose key has no
 * referenced row: the error counts them and the table is left as it was.
 *
 * PostgreSQL before 18 cannot add a NOT VALID foreign key to a partitioned table: there it is
 * added valid in one statement (the scan holds SHARE ROW EXCLUSIVE, which blocks writes), and a
 * note says so.
 */
export const addForeignKey = {
  name: "postgres.add_foreign_key",
  params: Params,
  // Documented static factors: two short statements and a scan of the table (complexity 0.3);
  // writes with a dangling key start failing, and deletes on the referenced table check it
  // (blast radius 0.4); drop_constraint undoes it (0.1); data is read, and changed by ON DELETE
  // actions from then on (0.2).
  risk: staticRisk({
    complexity: 0.3,
    blast_radius: 0.4,
    reversibility_difficulty: 0.1,
    data_sensitivity: 0.2,
  }),
  hasInverse: () => true,
  describe: (p: Params) =>
    `add foreign key ${foreignKeyNameOf(p)}: ${tableName(p)} (${p.columns.join(", ")}) → ${refName(p)} (${p.references.columns.join(", ")})` +
    `${p.on_delete ? ` on delete ${p.on_delete}` : ""} (NOT VALID, then VALIDATE)`,
  inverse: (p: Params) => ({
    action: "postgres.drop_constraint",
    params: { table: p.table, name: foreignKeyNameOf(p), ...withSchema(p) },
  }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const refSchema = schemaOf(p.references);
    const name = foreignKeyNameOf(p);
    const progress = newProgress();
    const oid = await tableOid(connection.client, schema, p.table);
    if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
    if ((await tableOid(connection.client, refSchema, p.references.table)) === undefined) {
      throw new TableDoesNotExistError(refSchema, p.references.table);
    }
    const step: NotValidThenValidate = {
      schema,
      table: p.table,
      tableLabel: tableName(p),
      name,
      body: body(p),
      what: `foreign key ${name} (${p.columns.join(", ")}) → ${refName(p)} (${p.references.columns.join(", ")})`,
      matches: (e: ConstraintInfo) => matches(p, e),
      violation: "23503",
      problem: `rows have no matching row in ${refName(p)}`,
      countViolations: () =>
        orphanRows(
          connection.client,
          { schema, table: p.table, columns: p.columns },
          { schema: refSchema, table: p.references.table, columns: p.references.columns },
        ),
    };
    let did: "added" | "validated" | "none";
    try {
      did = await addNotValidThenValidate(connection, step, progress, retryOptions(context));
    } catch (error) {
      // "cannot add NOT VALID foreign key on partitioned table" (42809 on PostgreSQL < 18).
      const code = sqlState(error);
      if ((code !== "42809" && code !== "0A000") || (await relkindOf(connection.client, oid)) !== "p")
        throw error;
      did = await addValidAtOnce(connection, p, step, progress, context);
    }
    if (did === "none") progress.notes.push(`foreign key ${name} is already there and valid: nothing done`);
    return { figures: { ...progress.figures, changed: did !== "none" }, notes: progress.notes };
  },
  async verify(connection: PgConnection, p: Params) {
    const oid = await tableOid(connection.client, schemaOf(p), p.table);
    if (oid === undefined) return false;
    const existing = await constraintInfo(connection.client, oid, foreignKeyNameOf(p));
    return existing?.validated === true && matches(p, existing);
  },
} satisfies ActionDef<Params, PgConnection>;

async function addValidAtOnce(
  connection: PgConnection,
  p: Params,
  step: NotValidThenValidate,
  progress: Progress,
  context: StepContext,
): Promise<"added"> {
  try {
    const { figures } = await runDdl(
      connection,
      (tx) =>
        tx.query(
          `ALTER TABLE ${qualify(step.schema, p.table)} ADD CONSTRAINT ${quoteIdent(step.name)} ${step.body}`,
        ),
      retryOptions(context),
    );
    addFigures(progress, figures);
  } catch (error) {
    if (sqlState(error) !== "23503") throw error;
    const found = await step.countViolations();
    throw new ViolatingRowsError(
      step.tableLabel,
      step.what,
      found.count,
      step.problem,
      found.example,
      "nothing was added",
    );
  }
  progress.notes.push(
    `${tableName(p)} is partitioned and this PostgreSQL cannot add a NOT VALID foreign key to it: ` +
      "added it valid in one statement, which blocked writes to the table while it checked the rows",
  );
  return "added";
}
