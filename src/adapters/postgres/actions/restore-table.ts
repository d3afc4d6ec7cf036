import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { Queryable } from "../client.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { qualify, quoteIdent, quoteLiteral, SchemaName } from "../identifiers.js";
import { relationExists, tableOid } from "../introspect.js";
import { retryOptions, schemaOf, staticRisk, tableName, withSchema } from "./common.js";
import {
  archiveTableName,
  RelationName,
  readArchive,
  type TableArchive,
  TableArchiveMissingError,
  TableRestoreConflictError,
} from "./table-archive.js";

const Params = z.strictObject({ table: RelationName, schema: SchemaName });
type Params = z.infer<typeof Params>;

/**
 * `postgres.restore_table`: the undo of drop_table. Renames the archive `ma_backup_table_<table>`
 * back, with the indexes, sequences and constraints renamed alongside it, and puts its comment
 * back: the table returns exactly as it was, with every row written until the drop. One
 * transaction, renames only.
 */
export const restoreTable = {
  name: "postgres.restore_table",
  params: Params,
  // Documented static factors: renames under a short ACCESS EXCLUSIVE lock (complexity 0.2); the
  // table was not in use while archived, so little can break (0.3); drop_table archives it again
  // (0.2); it brings data back rather than removing any (0.3).
  risk: staticRisk({
    complexity: 0.2,
    blast_radius: 0.3,
    reversibility_difficulty: 0.2,
    data_sensitivity: 0.3,
  }),
  hasInverse: () => true,
  describe: (p: Params) => `restore table ${tableName(p)} from its archive ${archiveTableName(p.table)}`,
  inverse: (p: Params) => ({ action: "postgres.drop_table", params: { table: p.table, ...withSchema(p) } }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const archiveName = archiveTableName(p.table);
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        const present = (await tableOid(tx, schema, p.table)) !== undefined;
        const archive = await readArchive(tx, schema, archiveName);
        const ours = archive?.table === p.table && archive.schema === schema ? archive : undefined;
        if (present && !ours) return false;
        if (present) {
          throw new TableRestoreConflictError(
            tableName(p),
            archiveName,
            `a table ${tableName(p)} exists again (created since the drop)`,
          );
        }
        if (!ours) throw new TableArchiveMissingError(tableName(p), archiveName);
        await tx.query(`LOCK TABLE ${qualify(schema, archiveName)} IN ACCESS EXCLUSIVE MODE`);
        await renameBack(tx, ours, archiveName);
        return true;
      },
      retryOptions(context),
    );
    return {
      figures: { ...figures, changed: value },
      notes: value
        ? [`${tableName(p)} restored from ${archiveName}`]
        : [`${tableName(p)} is already there: nothing done`],
    };
  },
  async verify(connection: PgConnection, p: Params) {
    const schema = schemaOf(p);
    if ((await tableOid(connection.client, schema, p.table)) === undefined) return false;
    const archive = await readArchive(connection.client, schema, archiveTableName(p.table));
    return archive?.table !== p.table;
  },
} satisfies ActionDef<Params, PgConnection>;

async function renameBack(tx: Queryable, archive: TableArchive, archiveName: string): Promise<void> {
  const { schema, table } = archive;
  // Every name is checked before any is taken back, so that a conflict leaves nothing half done.
  for (const r of archive.renamed) {
    if (r.kind !== "constraint" && (await relationExists(tx, r.schema ?? schema, r.original))) {
      throw new TableRestoreConflictError(table, archiveName, `${r.kind} name ${r.original} is taken again`);
    }
  }
  await tx.query(`ALTER TABLE ${qualify(schema, archiveName)} RENAME TO ${quoteIdent(table)}`);
  const to = qualify(schema, table);
  for (const r of archive.renamed) {
    const [original, archived] = [quoteIdent(r.original), quoteIdent(r.archived)];
    if (r.kind === "constraint")
      await tx.query(`ALTER TABLE ${to} RENAME CONSTRAINT ${archived} TO ${original}`);
    if (r.kind === "index")
      await tx.query(`ALTER INDEX ${qualify(schema, r.archived)} RENAME TO ${original}`);
    if (r.kind === "sequence") {
      await tx.query(`ALTER SEQUENCE ${qualify(r.schema ?? schema, r.archived)} RENAME TO ${original}`);
    }
  }
  await tx.query(
    `COMMENT ON TABLE ${to} IS ${archive.comment === null ? "NULL" : quoteLiteral(archive.comment)}`,
  );
}
