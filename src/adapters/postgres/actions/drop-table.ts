import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { Queryable } from "../client.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { TableDoesNotExistError } from "../errors.js";
import { qualify, quoteIdent, SchemaName } from "../identifiers.js";
import { relationExists, tableOid } from "../introspect.js";
import { supersededName } from "./column-backup.js";
import { retryOptions, schemaOf, staticRisk, tableName, withSchema } from "./common.js";
import {
  archivedObjectName,
  archiveTableName,
  newArchive,
  RelationName,
  readArchive,
  type TableArchive,
  TableNotDroppableError,
  writeArchiveComment,
} from "./table-archive.js";
import { outsideDependents, ownedObjects, partitioningBlocker } from "./table-dependents.js";

const Params = z.strictObject({ table: RelationName, schema: SchemaName });
type Params = z.infer<typeof Params>;

/**
 * `postgres.drop_table`: a contract step that archives instead of dropping. The table is renamed
 * to `ma_backup_table_<table>` (a catalog change under a short ACCESS EXCLUSIVE lock: no row is
 * copied, so it is instant whatever the size), and so are its indexes, owned sequences and
 * constraints, so that nothing of it is left under its old names; `postgres.restore_table` puts
 * every name back. One transaction.
 *
 * It refuses a table that something else still uses (a view, another table's foreign key, a
 * child table, a function over its row type, another table's default on its sequence), and a
 * partitioned table, a partition or an inheritance child: renaming would leave those pointing at
 * the archive, or leave parts of the table behind.
 */
export const dropTable = {
  name: "postgres.drop_table",
  params: Params,
  // Documented static factors: every application that reads the table breaks (blast radius 0.9);
  // it is the contract's point of no return (DESIGN.md §4): restore_table brings every row back
  // at once, but the writes applications tried while the table was gone failed and are not
  // replayed (0.9); the whole table's data is at stake if the archive were lost (0.8); renames
  // plus the checks for views, foreign keys and partitions that depend on it (0.4). Composite
  // 0.73: a drop always needs approval.
  risk: staticRisk({
    complexity: 0.4,
    blast_radius: 0.9,
    reversibility_difficulty: 0.9,
    data_sensitivity: 0.8,
  }),
  hasInverse: () => true,
  describe: (p: Params) => `drop table ${tableName(p)}, archived as ${archiveTableName(p.table)}`,
  inverse: (p: Params) => ({
    action: "postgres.restore_table",
    params: { table: p.table, ...withSchema(p) },
  }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const archiveName = archiveTableName(p.table);
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        const oid = await tableOid(tx, schema, p.table);
        if (oid === undefined) {
          const archive = await readArchive(tx, schema, archiveName);
          if (archive?.table === p.table) {
            return {
              changed: false,
              notes: [`${tableName(p)} is already archived as ${archiveName}: nothing done`],
            };
          }
          throw new TableDoesNotExistError(schema, p.table);
        }
        // The lock first: nothing can start using the table between the checks and the rename.
        await tx.query(`LOCK TABLE ${qualify(schema, p.table)} IN ACCESS EXCLUSIVE MODE`);
        await refuseIfUsed(tx, tableName(p), oid);
        const notes: string[] = [];
        if (await relationExists(tx, schema, archiveName))
          notes.push(await setAsideOlder(tx, p, archiveName));
        const foreignKeys = await outgoingForeignKeys(tx, oid);
        const archive = await renameAway(tx, schema, p.table, oid, archiveName);
        const n = archive.renamed.length;
        notes.push(
          `${tableName(p)} renamed to ${archiveName}; ${n} of its indexes, sequences and constraints renamed alongside`,
        );
        const outgoing = archive.renamed.filter(
          (r) => r.kind === "constraint" && foreignKeys.includes(r.original),
        );
        if (outgoing.length) {
          notes.push(
            `its foreign keys (${outgoing.map((r) => r.original).join(", ")}) still hold on the archive: rows it references cannot be deleted until the archive is dropped`,
          );
        }
        return { changed: true, notes, renamed: n };
      },
      retryOptions(context),
    );
    return {
      figures: {
        ...figures,
        changed: value.changed,
        archive_table: `${schema}.${archiveName}`,
        renamed_objects: value.renamed ?? 0,
      },
      notes: value.notes,
    };
  },
  async verify(connection: PgConnection, p: Params) {
    const schema = schemaOf(p);
    if ((await tableOid(connection.client, schema, p.table)) !== undefined) return false;
    const archive = await readArchive(connection.client, schema, archiveTableName(p.table));
    return archive?.table === p.table;
  },
} satisfies ActionDef<Params, PgConnection>;

async function refuseIfUsed(tx: Queryable, table: string, oid: number): Promise<void> {
  const partitioning = await partitioningBlocker(tx, oid);
  if (partitioning) throw new TableNotDroppableError(table, partitioning);
  const users = await outsideDependents(tx, oid);
  for (const sequence of (await ownedObjects(tx, oid)).sequences) {
    for (const user of await outsideDependents(tx, sequence.oid, oid)) {
      users.push(`${user} (through its sequence ${sequence.name})`);
    }
  }
  if (users.length) {
    throw new TableNotDroppableError(
      table,
      `still used by ${users.join(", ")}; drop or change those first (drop_view for a view, a postgres.sql step for a foreign key), in an earlier step`,
    );
  }
}

async function outgoingForeignKeys(tx: Queryable, oid: number): Promise<string[]> {
  const { rows } = await tx.query<{ name: string }>(
    "SELECT conname AS name FROM pg_catalog.pg_constraint WHERE conrelid = $1::int8::oid AND contype = 'f' AND confrelid <> conrelid",
    [oid],
  );
  return rows.map((r) => r.name);
}

/** An archive from an earlier drop whose table was created again since: kept aside, not lost. */
async function setAsideOlder(tx: Queryable, p: Params, archiveName: string): Promise<string> {
  const schema = schemaOf(p);
  const older = await readArchive(tx, schema, archiveName);
  if (older?.table !== p.table) {
    throw new TableNotDroppableError(
      tableName(p),
      `${schema}.${archiveName} exists and is not an archive of this table: rename it first`,
    );
  }
  const aside = supersededName(archiveName, new Date());
  await tx.query(`ALTER TABLE ${qualify(schema, archiveName)} RENAME TO ${quoteIdent(aside)}`);
  return `an older archive ${archiveName} (from an earlier drop) was kept as ${aside}`;
}

/** Renames the table and everything of it that holds a name in the schema; returns the record. */
async function renameAway(
  tx: Queryable,
  schema: string,
  table: string,
  oid: number,
  archiveName: string,
): Promise<TableArchive> {
  const owned = await ownedObjects(tx, oid);
  const renamed: TableArchive["renamed"] = [];
  const from = qualify(schema, table);
  for (const original of owned.constraints) {
    const archived = archivedObjectName(original);
    await tx.query(
      `ALTER TABLE ${from} RENAME CONSTRAINT ${quoteIdent(original)} TO ${quoteIdent(archived)}`,
    );
    renamed.push({ kind: "constraint", original, archived });
  }
  for (const original of owned.indexes) {
    const archived = archivedObjectName(original);
    // Renaming the index of a primary key or unique constraint renames the constraint with it.
    await tx.query(`ALTER INDEX ${qualify(schema, original)} RENAME TO ${quoteIdent(archived)}`);
    renamed.push({ kind: "index", original, archived });
  }
  for (const { schema: where, name: original } of owned.sequences) {
    const archived = archivedObjectName(original);
    await tx.query(`ALTER SEQUENCE ${qualify(where, original)} RENAME TO ${quoteIdent(archived)}`);
    renamed.push({ kind: "sequence", original, archived, schema: where });
  }
  const comment = await tx.query<{ comment: string | null }>(
    "SELECT pg_catalog.obj_description($1::int8::oid, 'pg_class') AS comment",
    [oid],
  );
  await tx.query(`ALTER TABLE ${from} RENAME TO ${quoteIdent(archiveName)}`);
  const archive = newArchive({
    schema,
    table,
    comment: comment.rows[0]?.comment ?? null,
    renamed,
    taken_at: new Date().toISOString(),
  });
  await writeArchiveComment(tx, archive, archiveName);
  return archive;
}
