import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { TableDoesNotExistError } from "../errors.js";
import { Identifier, qualify, quoteIdent, SchemaName } from "../identifiers.js";
import { columnInfo, primaryKey, tableOid } from "../introspect.js";
import { retryOptions, schemaOf, staticRisk, tableName, withSchema } from "./common.js";
import { ColumnDoesNotExistError, RefusedError } from "./constraint-errors.js";

const Params = z.strictObject({ table: Identifier, column: Identifier, schema: SchemaName });
type Params = z.infer<typeof Params>;

/**
 * `postgres.drop_not_null`: ALTER COLUMN … DROP NOT NULL, a catalog change under a short ACCESS
 * EXCLUSIVE lock (lock_timeout); no scan. The undo of set_not_null. It refuses a primary-key or
 * identity column, which PostgreSQL keeps NOT NULL.
 */
export const dropNotNull = {
  name: "postgres.drop_not_null",
  params: Params,
  // Documented static factors: one short statement (complexity 0.1); NULLs can come in, and
  // readers that assumed none may break (blast radius 0.3); set_not_null undoes it while no NULL
  // was written (0.3); no data changes (0.1).
  risk: staticRisk({
    complexity: 0.1,
    blast_radius: 0.3,
    reversibility_difficulty: 0.3,
    data_sensitivity: 0.1,
  }),
  hasInverse: () => true,
  describe: (p: Params) => `drop NOT NULL from ${tableName(p)}.${p.column}`,
  inverse: (p: Params) => ({
    action: "postgres.set_not_null",
    params: { table: p.table, column: p.column, ...withSchema(p) },
  }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        const oid = await tableOid(tx, schema, p.table);
        if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
        const column = await columnInfo(tx, oid, p.column);
        if (!column) throw new ColumnDoesNotExistError(tableName(p), p.column);
        if (!column.not_null) return false;
        const refuse = (reason: string) =>
          new RefusedError("postgres.drop_not_null", `${tableName(p)}.${p.column}`, reason);
        if ((await primaryKey(tx, oid)).includes(p.column)) throw refuse("it is part of the primary key");
        if (column.identity) throw refuse("it is an identity column, which is always NOT NULL");
        await tx.query(
          `ALTER TABLE ${qualify(schema, p.table)} ALTER COLUMN ${quoteIdent(p.column)} DROP NOT NULL`,
        );
        return true;
      },
      retryOptions(context),
    );
    return {
      figures: { ...figures, changed: value },
      notes: value ? [] : [`${tableName(p)}.${p.column} already allows NULL: nothing done`],
    };
  },
  async verify(connection: PgConnection, p: Params) {
    const oid = await tableOid(connection.client, schemaOf(p), p.table);
    if (oid === undefined) return false;
    const column = await columnInfo(connection.client, oid, p.column);
    return column !== undefined && !column.not_null;
  },
} satisfies ActionDef<Params, PgConnection>;
