import { z } from "zod";
import type { ActionContext } from "../../../core/catalog/catalog.js";
import { isSerialType, volatileCall } from "../../../core/lint/volatile.js";
import {
  blastRadiusFromSize,
  discoveredTable,
  raiseRisk,
  sensitivityFromColumns,
} from "../../../core/risk/derived-factors.js";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { ColumnTypeMismatchError, TableDoesNotExistError } from "../errors.js";
import { Identifier, qualify, quoteIdent, SchemaName } from "../identifiers.js";
import { columnInfo, sameType, tableOid } from "../introspect.js";
import { SqlExpression, SqlType } from "../sql-fragments.js";
import { retryOptions, schemaOf, tableName, withSchema } from "./common.js";

const Params = z.strictObject({
  table: Identifier,
  column: z.strictObject({
    name: Identifier,
    type: SqlType,
    nullable: z.boolean().optional().meta({ description: "true unless given" }),
    default: SqlExpression.optional(),
  }),
  schema: SchemaName,
});
type Params = z.infer<typeof Params>;

const STATIC_RISK = {
  complexity: 0.2,
  blast_radius: 0.3,
  reversibility_difficulty: 0.1,
  data_sensitivity: 0.2,
};

/**
 * `postgres.add_column`: an expand step. A nullable column, or one with a constant default, is a
 * catalog change (no table rewrite since PostgreSQL 11); a volatile default rewrites the table.
 * Undone by dropping the column (with its backup, like any drop_column).
 */
export const addColumn = {
  name: "postgres.add_column",
  params: Params,
  // Documented static factors: a short ACCESS EXCLUSIVE lock under lock_timeout (complexity 0.2),
  // every reader of the table waits for it (blast radius 0.3), a drop undoes it (0.1), and the new
  // column holds no data yet (0.2). With a discovery, the table's size raises the blast radius
  // (capped at 0.5 when the column is a catalog change; in full when a volatile default rewrites
  // the table) and the column's name or type raises the sensitivity (`card_number` 0.8).
  risk: (params: unknown, context: ActionContext) => {
    const base = STATIC_RISK;
    const p = Params.safeParse(params);
    const table = p.success ? discoveredTable(context.discovery, schemaOf(p.data), p.data.table) : undefined;
    if (!p.success || !table) return base;
    const { column } = p.data;
    const rewrites =
      (column.default !== undefined && volatileCall(column.default)) || isSerialType(column.type);
    const size = blastRadiusFromSize(table.rows, table.bytes);
    return raiseRisk(base, {
      blast_radius: rewrites ? size : Math.min(size, 0.5),
      data_sensitivity: sensitivityFromColumns([{ name: column.name, type: column.type }]),
    });
  },
  hasInverse: () => true,
  describe: (p: Params) =>
    `add column ${tableName(p)}.${p.column.name} ${p.column.type}${p.column.nullable === false ? " NOT NULL" : ""}` +
    `${p.column.default ? ` DEFAULT ${p.column.default}` : ""}`,
  inverse: (p: Params) => ({
    action: "postgres.drop_column",
    params: { table: p.table, column: p.column.name, ...withSchema(p) },
  }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        const oid = await tableOid(tx, schema, p.table);
        if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
        const existing = await columnInfo(tx, oid, p.column.name);
        if (existing) {
          // Already there (a re-run after a crash): fine if it is the same type, an error otherwise.
          if (await sameType(tx, existing.type, p.column.type)) return false;
          throw new ColumnTypeMismatchError(tableName(p), p.column.name, existing.type, p.column.type);
        }
        await tx.query(
          `ALTER TABLE ${qualify(schema, p.table)} ADD COLUMN ${quoteIdent(p.column.name)} ${p.column.type}` +
            `${p.column.nullable === false ? " NOT NULL" : ""}` +
            `${p.column.default ? ` DEFAULT (${p.column.default})` : ""}`,
        );
        return true;
      },
      retryOptions(context),
    );
    return {
      figures: { ...figures, changed: value },
      notes: value ? [] : [`${tableName(p)}.${p.column.name} was already there with that type: nothing done`],
    };
  },
  async verify(connection: PgConnection, p: Params) {
    const oid = await tableOid(connection.client, schemaOf(p), p.table);
    if (oid === undefined) return false;
    const existing = await columnInfo(connection.client, oid, p.column.name);
    if (!existing || !(await sameType(connection.client, existing.type, p.column.type))) return false;
    return existing.not_null === (p.column.nullable === false);
  },
} satisfies ActionDef<Params, PgConnection>;
