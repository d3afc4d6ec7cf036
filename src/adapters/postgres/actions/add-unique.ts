import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { TableDoesNotExistError } from "../errors.js";
import { Identifier, qualify, quoteIdent, SchemaName } from "../identifiers.js";
import { tableOid } from "../introspect.js";
import { retryOptions, schemaOf, staticRisk, tableName, withSchema } from "./common.js";
import { type ConstraintInfo, constraintInfo, duplicateValues } from "./constraint-catalog.js";
import { DefinitionMismatchError, RefusedError, ViolatingRowsError } from "./constraint-errors.js";
import { addFigures, buildIndexes, isUniqueViolation, newProgress } from "./index-build.js";
import { isIndex, relationByName, relkindOf } from "./index-catalog.js";
import { derivedName } from "./index-naming.js";
import { indexTail, shadowIndex } from "./index-shadow.js";

const Params = z.strictObject({
  table: Identifier,
  columns: z.array(Identifier).min(1, { error: "expected at least one column" }),
  name: Identifier.optional().meta({ description: "Default: <table>_<columns>_key, within 63 bytes." }),
  schema: SchemaName,
});
type Params = z.infer<typeof Params>;

export const uniqueNameOf = (p: Params) => p.name ?? derivedName(p.table, p.columns, "key");

const columnList = (p: Params) => p.columns.map(quoteIdent).join(", ");
const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);
const matches = (p: Params, e: ConstraintInfo) =>
  e.type === "u" && same(e.columns, p.columns) && !e.deferrable;

/**
 * `postgres.add_unique`: builds the unique index CONCURRENTLY (reads and writes go on), then
 * turns it into a constraint with ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX, a catalog
 * change under a short ACCESS EXCLUSIVE lock (lock_timeout). Duplicates make the build fail: the
 * INVALID index it leaves is dropped, and the error counts them and shows one.
 */
export const addUnique = {
  name: "postgres.add_unique",
  params: Params,
  // Documented static factors: a concurrent build, then a short lock (complexity 0.3); writes of
  // a duplicate start failing (blast radius 0.4); drop_constraint undoes it (0.1); data is read,
  // not changed (0.1).
  risk: staticRisk({
    complexity: 0.3,
    blast_radius: 0.4,
    reversibility_difficulty: 0.1,
    data_sensitivity: 0.1,
  }),
  hasInverse: () => true,
  describe: (p: Params) =>
    `add unique constraint ${uniqueNameOf(p)} on ${tableName(p)} (${p.columns.join(", ")}), its index built concurrently`,
  inverse: (p: Params) => ({
    action: "postgres.drop_constraint",
    params: { table: p.table, name: uniqueNameOf(p), ...withSchema(p) },
  }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const name = uniqueNameOf(p);
    const progress = newProgress();
    const oid = await tableOid(connection.client, schema, p.table);
    if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
    if ((await relkindOf(connection.client, oid)) === "p") {
      throw new RefusedError(
        "postgres.add_unique",
        tableName(p),
        "it is partitioned, and PostgreSQL cannot add a constraint USING INDEX there; use postgres.create_index " +
          "with unique: true (built per partition; the columns must include the partition key)",
      );
    }
    const existing = await constraintInfo(connection.client, oid, name);
    if (existing) {
      if (!matches(p, existing)) {
        throw new DefinitionMismatchError(
          "constraint",
          `${name} of ${tableName(p)}`,
          existing.definition,
          `UNIQUE (${p.columns.join(", ")})`,
        );
      }
      return {
        figures: { ...progress.figures, changed: false },
        notes: [`unique constraint ${name} is already there: nothing done`],
      };
    }
    // An index of that name from an earlier run (built, then the run stopped) is used if it is
    // the unique index on these columns; an INVALID one is rebuilt.
    const tail = `USING btree (${columnList(p)})`;
    const index = await relationByName(connection.client, schema, name);
    if (index && isIndex(index) && index.valid && index.table === p.table) {
      const wanted = await shadowIndex(connection, schema, p.table, true, tail);
      if (indexTail(index.definition ?? "") !== wanted) {
        throw new DefinitionMismatchError(
          "index",
          `${schema}.${name}`,
          index.definition ?? "",
          `UNIQUE ${tail}`,
        );
      }
    }
    try {
      await buildIndexes(
        connection,
        [
          {
            schema,
            table: p.table,
            name,
            definition: `CREATE UNIQUE INDEX ${quoteIdent(name)} ON ${qualify(schema, p.table)} ${tail}`,
          },
        ],
        progress,
        retryOptions(context),
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const duplicates = await duplicateValues(connection.client, schema, p.table, p.columns);
      throw new ViolatingRowsError(
        tableName(p),
        `unique constraint ${name} (${p.columns.join(", ")})`,
        duplicates.count,
        "rows hold a value another row also holds",
        duplicates.example,
        "the INVALID index the failed build left was dropped",
      );
    }
    const { figures } = await runDdl(
      connection,
      async (tx) => {
        if (await constraintInfo(tx, oid, name)) return;
        await tx.query(
          `ALTER TABLE ${qualify(schema, p.table)} ADD CONSTRAINT ${quoteIdent(name)} UNIQUE USING INDEX ${quoteIdent(name)}`,
        );
      },
      retryOptions(context),
    );
    addFigures(progress, figures);
    return { figures: { ...progress.figures, changed: true }, notes: progress.notes };
  },
  async verify(connection: PgConnection, p: Params) {
    const oid = await tableOid(connection.client, schemaOf(p), p.table);
    if (oid === undefined) return false;
    const existing = await constraintInfo(connection.client, oid, uniqueNameOf(p));
    return existing !== undefined && matches(p, existing);
  },
} satisfies ActionDef<Params, PgConnection>;
