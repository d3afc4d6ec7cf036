import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { Identifier, qualify, quoteIdent, SchemaName } from "../identifiers.js";
import { relationExists, tableOid } from "../introspect.js";
import { SqlExpression, SqlType } from "../sql-fragments.js";
import { retryOptions, schemaOf, staticRisk, tableName, withSchema } from "./common.js";
import { archiveTableName, RelationName, TableDefinitionMismatchError } from "./table-archive.js";
import { columnDdl, definitionDifferences } from "./table-definition.js";

const Column = z.strictObject({
  name: Identifier,
  type: SqlType,
  nullable: z
    .boolean()
    .optional()
    .meta({ description: "true unless given; primary-key columns are NOT NULL" }),
  default: SqlExpression.optional(),
});

const Params = z
  .strictObject({
    table: RelationName,
    columns: z.array(Column).min(1, { error: "a table needs at least one column" }),
    primary_key: z.array(Identifier).min(1, { error: "give the primary key's columns" }),
    schema: SchemaName,
  })
  .superRefine((p, ctx) => {
    const names = p.columns.map((c) => c.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) {
        ctx.addIssue({
          code: "custom",
          path: ["columns", i, "name"],
          message: `column ${name} is given twice`,
        });
      }
    });
    p.primary_key.forEach((key, i) => {
      if (!names.includes(key)) {
        ctx.addIssue({
          code: "custom",
          path: ["primary_key", i],
          message: `${key} is not one of the columns`,
        });
      } else if (p.primary_key.indexOf(key) !== i) {
        ctx.addIssue({ code: "custom", path: ["primary_key", i], message: `${key} is given twice` });
      }
    });
  });
type Params = z.infer<typeof Params>;

/**
 * `postgres.create_table`: an expand step. A new, empty table with its primary key: nothing reads
 * it yet, so nothing waits for it. If the table is already there with the same columns and key (a
 * re-run), nothing is done; a different table of that name is an error. Undone by drop_table,
 * which archives it, so that rows written into it since are not lost.
 */
export const createTable = {
  name: "postgres.create_table",
  params: Params,
  // Documented static factors: one CREATE TABLE (complexity 0.1); a new table is read by nobody
  // yet (blast radius 0.1); drop_table archives it (0.1); it holds no data yet (0.1).
  risk: staticRisk({
    complexity: 0.1,
    blast_radius: 0.1,
    reversibility_difficulty: 0.1,
    data_sensitivity: 0.1,
  }),
  hasInverse: () => true,
  describe: (p: Params) =>
    `create table ${tableName(p)} (${p.columns.map((c) => c.name).join(", ")}), primary key (${p.primary_key.join(", ")})`,
  inverse: (p: Params) => ({ action: "postgres.drop_table", params: { table: p.table, ...withSchema(p) } }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        const oid = await tableOid(tx, schema, p.table);
        if (oid !== undefined) {
          const differences = await definitionDifferences(tx, oid, p.columns, p.primary_key);
          if (differences.length) throw new TableDefinitionMismatchError(tableName(p), differences);
          return { changed: false, notes: [`${tableName(p)} was already there as asked: nothing done`] };
        }
        if (await relationExists(tx, schema, p.table)) {
          throw new TableDefinitionMismatchError(tableName(p), [
            `${schema}.${p.table} is a view, sequence or index, not a table`,
          ]);
        }
        const columns = p.columns.map(columnDdl);
        await tx.query(
          `CREATE TABLE ${qualify(schema, p.table)} (${columns.join(", ")}, PRIMARY KEY (${p.primary_key.map(quoteIdent).join(", ")}))`,
        );
        const notes = (await relationExists(tx, schema, archiveTableName(p.table)))
          ? [`an archive ${archiveTableName(p.table)} of an earlier ${tableName(p)} is kept beside it`]
          : [];
        return { changed: true, notes };
      },
      retryOptions(context),
    );
    return { figures: { ...figures, changed: value.changed }, notes: value.notes };
  },
  async verify(connection: PgConnection, p: Params) {
    const oid = await tableOid(connection.client, schemaOf(p), p.table);
    if (oid === undefined) return false;
    return (await definitionDifferences(connection.client, oid, p.columns, p.primary_key)).length === 0;
  },
} satisfies ActionDef<Params, PgConnection>;
