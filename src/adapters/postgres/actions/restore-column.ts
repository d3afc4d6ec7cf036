import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { BackupMissingError, TableDoesNotExistError } from "../errors.js";
import { Identifier, qualify, quoteIdent, quoteLiteral, SchemaName } from "../identifiers.js";
import { columnInfo, relationExists, tableOid } from "../introspect.js";
import { maySkipTriggers } from "./backfill-engine.js";
import { backupTableName, readBackupComment } from "./column-backup.js";
import { retryOptions, schemaOf, staticRisk, tableName } from "./common.js";

const Params = z.strictObject({ table: Identifier, column: Identifier, schema: SchemaName });
type Params = z.infer<typeof Params>;

/**
 * `postgres.restore_column`: the undo of drop_column. Puts the column back from its backup table
 * with the same type, collation, nullability and default, its values (matched by primary key),
 * its comment and the constraints and indexes the drop took; then drops the backup. One
 * transaction. Rows inserted since the drop get the column's default. The column comes back as
 * the table's last column: queries that name their columns cannot tell.
 */
export const restoreColumn = {
  name: "postgres.restore_column",
  params: Params,
  // Documented static factors: it rewrites every row of the table under an ACCESS EXCLUSIVE lock
  // (complexity 0.4, blast radius 0.5); drop_column undoes it, with a backup again (0.3); it puts
  // back data that was set aside (0.6).
  risk: staticRisk({
    complexity: 0.4,
    blast_radius: 0.5,
    reversibility_difficulty: 0.3,
    data_sensitivity: 0.6,
  }),
  hasInverse: () => true,
  describe: (p: Params) =>
    `restore column ${tableName(p)}.${p.column} from ${backupTableName(p.table, p.column)}`,
  inverse: (p: Params) => ({ action: "postgres.drop_column", params: { ...p } }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const backupName = backupTableName(p.table, p.column);
    const table = qualify(schema, p.table);
    const column = quoteIdent(p.column);
    const skip = await maySkipTriggers(connection);
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        const oid = await tableOid(tx, schema, p.table);
        if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
        const present = (await columnInfo(tx, oid, p.column)) !== undefined;
        const hasBackup = await relationExists(tx, schema, backupName);
        if (present && !hasBackup) return { restored: false, rows: 0 };
        if (present) {
          throw new Error(
            `${tableName(p)}.${p.column} exists and so does its backup ${backupName}: it was added again since the drop; restore by hand`,
          );
        }
        const backup = hasBackup ? await readBackupComment(tx, schema, backupName) : undefined;
        if (!backup || backup.table !== p.table || backup.column !== p.column) {
          throw new BackupMissingError(tableName(p), p.column, backupName);
        }
        // The default first, so that rows inserted since the drop get it; then every row the
        // backup knows gets its own value back, NULLs included.
        await tx.query(
          `ALTER TABLE ${table} ADD COLUMN ${column} ${backup.type}` +
            `${backup.collation ? ` COLLATE ${backup.collation}` : ""}` +
            `${backup.default !== null ? ` DEFAULT (${backup.default})` : ""}`,
        );
        const join = backup.primary_key.map((k) => `t.${quoteIdent(k)} = b.${quoteIdent(k)}`).join(" AND ");
        // Putting values back is not an application write: the table's own triggers (last_update,
        // audit) stay quiet when the role may say so, for this statement only.
        if (skip) await tx.query("SELECT set_config('session_replication_role', 'replica', true)");
        const updated = await tx.query(
          `UPDATE ${table} AS t SET ${column} = b.${column} FROM ${qualify(schema, backupName)} AS b WHERE ${join}`,
        );
        if (skip) await tx.query("SELECT set_config('session_replication_role', 'origin', true)");
        if (backup.not_null) await tx.query(`ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL`);
        for (const c of backup.constraints) {
          await tx.query(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`);
        }
        for (const statement of backup.indexes) await tx.query(statement);
        if (backup.comment !== null) {
          await tx.query(`COMMENT ON COLUMN ${table}.${column} IS ${quoteLiteral(backup.comment)}`);
        }
        await tx.query(`DROP TABLE ${qualify(schema, backupName)}`);
        return { restored: true, rows: updated.rowCount };
      },
      retryOptions(context),
    );
    return {
      figures: { ...figures, restored_rows: value.rows, triggers_skipped: skip },
      notes: [
        ...(value.restored ? [] : [`${tableName(p)}.${p.column} is already there: nothing done`]),
        ...(value.restored && !skip
          ? [
              "the role may not set session_replication_role: the table's triggers fired while the values were put back",
            ]
          : []),
      ],
    };
  },
  async verify(connection: PgConnection, p: Params) {
    const schema = schemaOf(p);
    const oid = await tableOid(connection.client, schema, p.table);
    if (oid === undefined || (await columnInfo(connection.client, oid, p.column)) === undefined) return false;
    return !(await relationExists(connection.client, schema, backupTableName(p.table, p.column)));
  },
} satisfies ActionDef<Params, PgConnection>;
