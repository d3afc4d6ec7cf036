import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { Queryable } from "../client.js";
import type { PgConnection } from "../connection.js";
import { TableDoesNotExistError } from "../errors.js";
import { Identifier, qualify, quoteIdent, SchemaName } from "../identifiers.js";
import { tableOid } from "../introspect.js";
import { SqlExpression } from "../sql-fragments.js";
import { retryOptions, schemaOf, staticRisk, tableName, withSchema } from "./common.js";
import { duplicateValues } from "./constraint-catalog.js";
import { DefinitionMismatchError, NameTakenError, ViolatingRowsError } from "./constraint-errors.js";
import { buildIndexes, type IndexNode, isUniqueViolation, newProgress } from "./index-build.js";
import { isIndex, partitionsOf, relationByName, relationKind, relkindOf } from "./index-catalog.js";
import { derivedName } from "./index-naming.js";
import { indexTail, shadowIndex } from "./index-shadow.js";

const Params = z
  .strictObject({
    table: Identifier,
    columns: z.array(Identifier).min(1, { error: "expected at least one column" }),
    name: Identifier.optional().meta({ description: "Default: <table>_<columns>_idx, within 63 bytes." }),
    unique: z.boolean().optional(),
    method: z
      .enum(["btree", "hash", "gin", "gist", "brin"])
      .optional()
      .meta({ description: "Default btree." }),
    where: SqlExpression.optional().meta({ description: "Makes it a partial index." }),
    schema: SchemaName,
  })
  .refine((p) => !p.unique || (p.method ?? "btree") === "btree", {
    error: "only a btree index can be unique",
    path: ["unique"],
  });
type Params = z.infer<typeof Params>;

export const indexNameOf = (p: Params) => p.name ?? derivedName(p.table, p.columns, "idx");

/** `USING btree ("a", "b") WHERE (…)`: everything after the table in the CREATE INDEX. */
const tailOf = (p: Params) =>
  `USING ${p.method ?? "btree"} (${p.columns.map(quoteIdent).join(", ")})${p.where ? ` WHERE (${p.where})` : ""}`;

/**
 * `postgres.create_index`: an expand step. CREATE INDEX CONCURRENTLY: reads and writes go on while
 * it builds. An INVALID index of the same name, left by a build that failed or was killed, is
 * dropped and built again; an index of that name with the same definition is success; one with
 * another definition is an error. On a partitioned table, where PostgreSQL cannot build
 * CONCURRENTLY, the index is made ON ONLY the table, built CONCURRENTLY on each partition and
 * attached. Works the same on PGlite, which builds CONCURRENTLY on its single connection.
 */
export const createIndex = {
  name: "postgres.create_index",
  params: Params,
  // Documented static factors: a concurrent build takes no lock that blocks reads or writes, but
  // reads the whole table and can fail half-way (complexity 0.3); writes maintain one more index
  // (blast radius 0.1); drop_index undoes it (0.1); no data changes (0).
  risk: staticRisk({
    complexity: 0.3,
    blast_radius: 0.1,
    reversibility_difficulty: 0.1,
    data_sensitivity: 0,
  }),
  hasInverse: () => true,
  describe: (p: Params) =>
    `create ${p.unique ? "unique " : ""}index ${indexNameOf(p)} on ${tableName(p)} (${p.columns.join(", ")})` +
    `${p.method && p.method !== "btree" ? ` using ${p.method}` : ""}${p.where ? ` where ${p.where}` : ""}, concurrently`,
  inverse: (p: Params) => ({
    action: "postgres.drop_index",
    params: { name: indexNameOf(p), ...withSchema(p) },
  }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const name = indexNameOf(p);
    const progress = newProgress();
    const oid = await tableOid(connection.client, schema, p.table);
    if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
    const existing = await relationByName(connection.client, schema, name);
    if (existing) {
      if (!isIndex(existing) || existing.table !== p.table || existing.table_schema !== schema) {
        throw new NameTakenError(schema, name, relationKind(existing));
      }
      // A valid index, or a partitioned one (invalid until every partition's index is attached),
      // must be the one asked for; an invalid plain index is rebuilt whatever it was.
      if (existing.valid || existing.relkind === "I") {
        const wanted = await shadowIndex(connection, schema, p.table, p.unique === true, tailOf(p));
        if (indexTail(existing.definition ?? "") !== wanted) {
          const requested = `CREATE ${p.unique ? "UNIQUE " : ""}INDEX ${name} ON ${qualify(schema, p.table)} ${tailOf(p)}`;
          throw new DefinitionMismatchError(
            "index",
            `${schema}.${name}`,
            existing.definition ?? "",
            requested,
          );
        }
        if (existing.valid) {
          return {
            figures: { ...progress.figures, changed: false, indexes_built: 0 },
            notes: [`index ${schema}.${name} is already there with that definition: nothing done`],
          };
        }
      }
    }
    const partitioned = (await relkindOf(connection.client, oid)) === "p";
    const root: IndexNode = {
      schema,
      table: p.table,
      name,
      definition: `CREATE ${p.unique ? "UNIQUE " : ""}INDEX ${quoteIdent(name)} ON ${partitioned ? "ONLY " : ""}${qualify(schema, p.table)} ${tailOf(p)}`,
    };
    const nodes = partitioned ? [root, ...(await partitionNodes(connection.client, oid, root, p))] : [root];
    let built: number;
    try {
      built = await buildIndexes(connection, nodes, progress, retryOptions(context));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const duplicates = await duplicateValues(connection.client, schema, p.table, p.columns);
      throw new ViolatingRowsError(
        tableName(p),
        `unique index ${name} (${p.columns.join(", ")})`,
        duplicates.count,
        "rows hold a value another row also holds",
        duplicates.example,
        "the INVALID index the failed build left was dropped",
      );
    }
    if (partitioned) {
      progress.notes.push(
        `${tableName(p)} is partitioned, and PostgreSQL cannot build an index CONCURRENTLY on a partitioned table: ` +
          `${name} was made ON ONLY ${tableName(p)}, then built CONCURRENTLY on each of its ${nodes.length - 1} partitions and attached`,
      );
    }
    return {
      figures: { ...progress.figures, changed: built > 0, indexes_built: built },
      notes: progress.notes,
    };
  },
  async verify(connection: PgConnection, p: Params) {
    const schema = schemaOf(p);
    const existing = await relationByName(connection.client, schema, indexNameOf(p));
    if (!existing || !isIndex(existing) || !existing.valid || existing.table !== p.table) return false;
    const wanted = await shadowIndex(connection, schema, p.table, p.unique === true, tailOf(p));
    return indexTail(existing.definition ?? "") === wanted;
  },
} satisfies ActionDef<Params, PgConnection>;

/**
 * The index of every partition, depth first, named `<partition>_<columns>_ma_idx`: apart from the
 * names PostgreSQL gives its own (`…_idx`), so that an index someone already made on a partition
 * (pagila's payment partitions each have one on customer_id) is never taken over and attached. The
 * undo drops the partitioned index with every index attached to it: a taken-over index would go too.
 */
async function partitionNodes(q: Queryable, oid: number, parent: IndexNode, p: Params): Promise<IndexNode[]> {
  const nodes: IndexNode[] = [];
  for (const part of await partitionsOf(q, oid)) {
    const name = derivedName(part.name, p.columns, "ma_idx");
    const node: IndexNode = {
      schema: part.schema,
      table: part.name,
      name,
      definition:
        `CREATE ${p.unique ? "UNIQUE " : ""}INDEX ${quoteIdent(name)} ON ${part.relkind === "p" ? "ONLY " : ""}` +
        `${qualify(part.schema, part.name)} ${tailOf(p)}`,
      parent: { schema: parent.schema, name: parent.name },
    };
    nodes.push(node);
    if (part.relkind === "p") nodes.push(...(await partitionNodes(q, part.oid, node, p)));
  }
  return nodes;
}
