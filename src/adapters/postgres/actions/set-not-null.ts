import { z } from "zod";
import type { ActionDef } from "../../types.js";
import { sqlState } from "../client.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { TableDoesNotExistError } from "../errors.js";
import { Identifier, qualify, quoteIdent, SchemaName } from "../identifiers.js";
import { columnInfo, tableOid } from "../introspect.js";
import { retryOptions, schemaOf, staticRisk, tableName, withSchema } from "./common.js";
import { constraintInfo, nullRows } from "./constraint-catalog.js";
import { ColumnDoesNotExistError, ViolatingRowsError } from "./constraint-errors.js";
import { addFigures, newProgress } from "./index-build.js";
import { notNullCheckName } from "./index-naming.js";

const Params = z.strictObject({ table: Identifier, column: Identifier, schema: SchemaName });
type Params = z.infer<typeof Params>;

/**
 * `postgres.set_not_null`, in four short transactions under lock_timeout, none of which holds a
 * blocking lock while it reads the table (pgroll's OpSetNotNull):
 * 1. ADD CONSTRAINT <helper> CHECK (column IS NOT NULL) NOT VALID: a brief ACCESS EXCLUSIVE, no scan;
 * 2. VALIDATE CONSTRAINT: the scan, under SHARE UPDATE EXCLUSIVE (reads and writes go on);
 * 3. ALTER COLUMN SET NOT NULL: PostgreSQL 12+ sees the valid CHECK and skips its own scan, so the
 *    ACCESS EXCLUSIVE lock is brief;
 * 4. DROP CONSTRAINT <helper>.
 * Each step looks at the catalog first, so a re-run after a crash picks up where it stopped.
 * NULLs in the column: the error counts them, and the helper constraint is dropped again.
 */
export const setNotNull = {
  name: "postgres.set_not_null",
  params: Params,
  // Documented static factors: four short statements and a scan (complexity 0.3); writes of a
  // NULL start failing (blast radius 0.4); drop_not_null undoes it (0.1); data is read, not
  // changed (0.1).
  risk: staticRisk({
    complexity: 0.3,
    blast_radius: 0.4,
    reversibility_difficulty: 0.1,
    data_sensitivity: 0.1,
  }),
  hasInverse: () => true,
  describe: (p: Params) =>
    `set ${tableName(p)}.${p.column} NOT NULL (CHECK … NOT VALID, VALIDATE, SET NOT NULL, drop the CHECK)`,
  inverse: (p: Params) => ({
    action: "postgres.drop_not_null",
    params: { table: p.table, column: p.column, ...withSchema(p) },
  }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const table = qualify(schema, p.table);
    const helper = notNullCheckName(p.table, p.column);
    const options = retryOptions(context);
    const progress = newProgress();
    const oid = await tableOid(connection.client, schema, p.table);
    if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
    const column = await columnInfo(connection.client, oid, p.column);
    if (!column) throw new ColumnDoesNotExistError(tableName(p), p.column);
    const state = await constraintInfo(connection.client, oid, helper);
    const steps: string[] = [];
    const ddl = async (label: string, fn: Parameters<typeof runDdl>[1]) => {
      const { figures } = await runDdl(connection, fn, options);
      addFigures(progress, figures);
      steps.push(label);
    };

    if (!column.not_null) {
      if (!state) {
        await ddl("check added NOT VALID", async (tx) => {
          if (await constraintInfo(tx, oid, helper)) return;
          await tx.query(
            `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(helper)} CHECK (${quoteIdent(p.column)} IS NOT NULL) NOT VALID`,
          );
        });
      }
      if (!state?.validated) {
        try {
          await ddl("check validated", (tx) =>
            tx.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${quoteIdent(helper)}`),
          );
        } catch (error) {
          if (sqlState(error) !== "23514") throw error;
          const nulls = await nullRows(connection.client, schema, p.table, p.column);
          await ddl("check dropped", (tx) =>
            tx.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${quoteIdent(helper)}`),
          );
          throw new ViolatingRowsError(
            tableName(p),
            `NOT NULL on ${p.column}`,
            nulls.count,
            `rows are NULL in ${p.column}`,
            null,
            "the helper check was dropped again, so the table is as it was",
          );
        }
      }
      await ddl("SET NOT NULL", async (tx) => {
        const now = await columnInfo(tx, oid, p.column);
        if (now?.not_null) return;
        await tx.query(`ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(p.column)} SET NOT NULL`);
      });
    }
    if (state || steps.length) {
      await ddl("check dropped", (tx) =>
        tx.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${quoteIdent(helper)}`),
      );
    }
    return {
      figures: { ...progress.figures, changed: steps.length > 0 },
      notes: steps.length
        ? state && column.not_null
          ? [
              `${tableName(p)}.${p.column} was already NOT NULL; dropped the helper check an interrupted run had left`,
            ]
          : state
            ? [`resumed from an interrupted run: ${steps.join(", ")}`]
            : []
        : [`${tableName(p)}.${p.column} is already NOT NULL: nothing done`],
    };
  },
  async verify(connection: PgConnection, p: Params) {
    const oid = await tableOid(connection.client, schemaOf(p), p.table);
    if (oid === undefined) return false;
    const column = await columnInfo(connection.client, oid, p.column);
    if (!column?.not_null) return false;
    return (await constraintInfo(connection.client, oid, notNullCheckName(p.table, p.column))) === undefined;
  },
} satisfies ActionDef<Params, PgConnection>;
