import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { Identifier, qualify, quoteLiteral, SchemaName } from "../identifiers.js";
import { retryOptions, schemaOf, staticRisk, withSchema } from "./common.js";
import { DefinitionMismatchError, DefinitionNotKeptError, NameTakenError } from "./constraint-errors.js";
import { DEFINITIONS_TABLE, forgetKept, readKept } from "./index-bookkeeping.js";
import { addFigures, buildIndexes, newProgress } from "./index-build.js";
import { isIndex, relationByName, relationKind } from "./index-catalog.js";

const Params = z.strictObject({ name: Identifier, schema: SchemaName });
type Params = z.infer<typeof Params>;

const indexName = (p: Params) => (p.schema && p.schema !== "public" ? `${p.schema}.${p.name}` : p.name);

/**
 * `postgres.restore_index`: the undo of drop_index. Builds the index again CONCURRENTLY from the
 * definition drop_index kept (a partitioned one ON ONLY its table, then each partition's index
 * under its old name, attached), puts its comment back and forgets the kept copy.
 */
export const restoreIndex = {
  name: "postgres.restore_index",
  params: Params,
  // Documented static factors: a concurrent build of a known definition (complexity 0.3); writes
  // maintain one more index (blast radius 0.1); drop_index undoes it (0.1); no data changes (0).
  risk: staticRisk({
    complexity: 0.3,
    blast_radius: 0.1,
    reversibility_difficulty: 0.1,
    data_sensitivity: 0,
  }),
  hasInverse: () => true,
  describe: (p: Params) =>
    `restore index ${indexName(p)} concurrently from its definition in ${DEFINITIONS_TABLE}`,
  inverse: (p: Params) => ({ action: "postgres.drop_index", params: { name: p.name, ...withSchema(p) } }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const progress = newProgress();
    const kept = await readKept(connection.client, "index", schema, p.name);
    const existing = await relationByName(connection.client, schema, p.name);
    if (existing && !isIndex(existing)) throw new NameTakenError(schema, p.name, relationKind(existing));
    if (!kept) {
      if (existing?.valid) {
        return {
          figures: { ...progress.figures, changed: false },
          notes: [`index ${indexName(p)} is already there: nothing done`],
        };
      }
      throw new DefinitionNotKeptError("index", schema, p.name, `${schema}.${DEFINITIONS_TABLE}`);
    }
    if (existing && (existing.valid || existing.relkind === "I") && existing.definition !== kept.definition) {
      throw new DefinitionMismatchError(
        "index",
        `${schema}.${p.name}`,
        existing.definition ?? "",
        kept.definition,
      );
    }
    const nodes = [
      { schema, table: kept.table, name: p.name, definition: kept.definition },
      ...kept.children,
    ];
    const built = await buildIndexes(connection, nodes, progress, retryOptions(context));
    const { figures } = await runDdl(
      connection,
      async (tx) => {
        if (kept.comment !== null) {
          await tx.query(`COMMENT ON INDEX ${qualify(schema, p.name)} IS ${quoteLiteral(kept.comment)}`);
        }
        await forgetKept(tx, kept);
      },
      retryOptions(context),
    );
    addFigures(progress, figures);
    if (built === 0)
      progress.notes.push(`index ${indexName(p)} was already built: its kept definition is forgotten`);
    return {
      figures: { ...progress.figures, changed: built > 0, indexes_built: built },
      notes: progress.notes,
    };
  },
  async verify(connection: PgConnection, p: Params) {
    const schema = schemaOf(p);
    const existing = await relationByName(connection.client, schema, p.name);
    if (!existing || !isIndex(existing) || !existing.valid) return false;
    return (await readKept(connection.client, "index", schema, p.name)) === undefined;
  },
} satisfies ActionDef<Params, PgConnection>;
