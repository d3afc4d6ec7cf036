import { z } from "zod";
import type { ActionContext } from "../../../core/catalog/catalog.js";
import {
  blastRadiusFromSize,
  discoveredTable,
  raiseRisk,
  sensitivityFromColumns,
} from "../../../core/risk/derived-factors.js";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { ColumnNotDroppableError, TableDoesNotExistError } from "../errors.js";
import { Identifier, qualify, quoteIdent, SchemaName } from "../identifiers.js";
import { columnInfo, primaryKey, relationExists, tableOid } from "../introspect.js";
import { backupTableName, newBackup, supersededName, writeBackupComment } from "./column-backup.js";
import { columnDependents } from "./column-dependents.js";
import { retryOptions, schemaOf, tableName } from "./common.js";

const Params = z.strictObject({ table: Identifier, column: Identifier, schema: SchemaName });
type Params = z.infer<typeof Params>;

const STATIC_RISK = {
  complexity: 0.5,
  blast_radius: 0.8,
  reversibility_difficulty: 0.8,
  data_sensitivity: 0.8,
};

/**
 * `postgres.drop_column`: a contract step. Before dropping, it copies the column's values keyed by
 * primary key into `ma_backup_<table>_<column>`, with the column's definition and the constraints
 * and indexes the drop takes with it; `postgres.restore_column` puts all of it back. All of it is
 * one transaction: the copy, then the drop, or neither.
 *
 * While the column is copied the table is held in SHARE mode: reads go on, writes wait, so that
 * no value written during the copy is lost. It refuses a column that a view, another table's
 * foreign key, a trigger or a policy uses, a primary-key column, and a table without a primary key.
 */
export const dropColumn = {
  name: "postgres.drop_column",
  params: Params,
  // Documented static factors: applications that still read the column break (blast radius 0.8);
  // restore_column undoes it, but only with the backup, and the column comes back last in the
  // table (reversibility 0.8); the column's data is what is at stake (0.8). Composite 0.71: above
  // the approval threshold, as a contract step should be. With a discovery, a very large table
  // (the backup copies every row under a SHARE lock) or a secret column (`password_hash` 0.9)
  // raises them further; nothing lowers them.
  risk: (params: unknown, context: ActionContext) => {
    const p = Params.safeParse(params);
    const table = p.success ? discoveredTable(context.discovery, schemaOf(p.data), p.data.table) : undefined;
    if (!p.success || !table) return STATIC_RISK;
    const column = table.columns.find((c) => c.name === p.data.column) ?? { name: p.data.column };
    return raiseRisk(STATIC_RISK, {
      blast_radius: blastRadiusFromSize(table.rows, table.bytes),
      data_sensitivity: sensitivityFromColumns([column]),
    });
  },
  hasInverse: () => true,
  describe: (p: Params) =>
    `drop column ${tableName(p)}.${p.column}, keeping its data in ${backupTableName(p.table, p.column)}`,
  inverse: (p: Params) => ({ action: "postgres.restore_column", params: { ...p } }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const backup = backupTableName(p.table, p.column);
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        const oid = await tableOid(tx, schema, p.table);
        if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
        const column = await columnInfo(tx, oid, p.column);
        if (!column) return { rows: 0, note: `${tableName(p)}.${p.column} is already gone: nothing done` };
        const refuse = (reason: string) => new ColumnNotDroppableError(tableName(p), p.column, reason);
        const pk = await primaryKey(tx, oid);
        if (pk.length === 0) throw refuse("the table has no primary key to key the backup by");
        if (pk.includes(p.column)) throw refuse("it is part of the primary key");
        if (column.identity || column.generated)
          throw refuse("identity and generated columns are not backed up");
        const dependents = await columnDependents(tx, oid, column.attnum);
        if (dependents.blockers.length) throw refuse(`used by ${dependents.blockers.join(", ")}`);

        // Readers go on; writers wait until the column is copied and dropped, so none is lost.
        await tx.query(`LOCK TABLE ${qualify(schema, p.table)} IN SHARE MODE`);
        let note: string | undefined;
        if (await relationExists(tx, schema, backup)) {
          // A backup from an earlier drop whose column came back (re-added): kept aside, not lost.
          const aside = supersededName(backup, new Date());
          await tx.query(`ALTER TABLE ${qualify(schema, backup)} RENAME TO ${quoteIdent(aside)}`);
          note = `an older backup ${backup} was kept as ${aside}`;
        }
        const keys = pk.map(quoteIdent).join(", ");
        await tx.query(
          `CREATE TABLE ${qualify(schema, backup)} AS SELECT ${keys}, ${quoteIdent(p.column)} FROM ${qualify(schema, p.table)}`,
        );
        const counted = await tx.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM ${qualify(schema, backup)}`,
        );
        const rows = Number(counted.rows[0]?.n ?? 0);
        const comment = await tx.query<{ comment: string | null }>(
          "SELECT pg_catalog.col_description($1::int8::oid, $2) AS comment",
          [oid, column.attnum],
        );
        await writeBackupComment(
          tx,
          newBackup({
            schema,
            table: p.table,
            column: p.column,
            type: column.type,
            not_null: column.not_null,
            default: column.default,
            collation: column.collation,
            comment: comment.rows[0]?.comment ?? null,
            primary_key: pk,
            constraints: dependents.constraints,
            indexes: dependents.indexes,
            rows,
            taken_at: new Date().toISOString(),
          }),
          backup,
        );
        await tx.query(`ALTER TABLE ${qualify(schema, p.table)} DROP COLUMN ${quoteIdent(p.column)}`);
        return { rows, note };
      },
      retryOptions(context),
    );
    return {
      figures: { ...figures, backed_up_rows: value.rows, backup_table: `${schema}.${backup}` },
      notes: value.note ? [value.note] : [],
    };
  },
  async verify(connection: PgConnection, p: Params) {
    const oid = await tableOid(connection.client, schemaOf(p), p.table);
    return oid !== undefined && (await columnInfo(connection.client, oid, p.column)) === undefined;
  },
} satisfies ActionDef<Params, PgConnection>;
