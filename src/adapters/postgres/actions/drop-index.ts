import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { Identifier, SchemaName } from "../identifiers.js";
import { retryOptions, schemaOf, staticRisk, withSchema } from "./common.js";
import { IndexInUseError, NameTakenError } from "./constraint-errors.js";
import { DEFINITIONS_TABLE, keepDefinition, readKept } from "./index-bookkeeping.js";
import { addFigures, dropIndex as dropIndexNow, newProgress } from "./index-build.js";
import { indexChildren, indexUsers, isIndex, relationByName, relationKind } from "./index-catalog.js";

const Params = z.strictObject({ name: Identifier, schema: SchemaName });
type Params = z.infer<typeof Params>;

const indexName = (p: Params) => (p.schema && p.schema !== "public" ? `${p.schema}.${p.name}` : p.name);

/**
 * `postgres.drop_index`: keeps the index's definition (pg_get_indexdef, with the indexes of its
 * partitions when it is partitioned, and its comment) in `ma_backup__definitions`, then DROP
 * INDEX CONCURRENTLY: reads and writes go on. It refuses an index a constraint owns (primary key,
 * unique, exclusion) or a foreign key references through, and the index of a partition: those go
 * with their constraint or their partitioned index. `postgres.restore_index` builds it again.
 */
export const dropIndex = {
  name: "postgres.drop_index",
  params: Params,
  // Documented static factors: a concurrent drop waits for running queries but blocks none
  // (complexity 0.2); queries that used the index get slower (blast radius 0.4); restore_index
  // rebuilds it from the kept definition, which takes a full build (0.3); no data changes (0).
  risk: staticRisk({
    complexity: 0.2,
    blast_radius: 0.4,
    reversibility_difficulty: 0.3,
    data_sensitivity: 0,
  }),
  hasInverse: () => true,
  describe: (p: Params) =>
    `drop index ${indexName(p)} concurrently, keeping its definition in ${DEFINITIONS_TABLE}`,
  inverse: (p: Params) => ({ action: "postgres.restore_index", params: { name: p.name, ...withSchema(p) } }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const progress = newProgress();
    const existing = await relationByName(connection.client, schema, p.name);
    if (!existing) {
      const kept = await readKept(connection.client, "index", schema, p.name);
      return {
        figures: { ...progress.figures, changed: false },
        notes: [
          kept
            ? `index ${indexName(p)} is already dropped, its definition kept: nothing done`
            : `there is no index ${indexName(p)}: nothing done`,
        ],
      };
    }
    if (!isIndex(existing))
      throw new NameTakenError(schema, p.name, `${relationKind(existing)}, not an index`);
    const users = await indexUsers(connection.client, existing.oid);
    if (users.length) throw new IndexInUseError(indexName(p), users.join("; "), adviceFor(users));

    const partitioned = existing.relkind === "I";
    const children = partitioned ? await indexChildren(connection.client, existing.oid) : [];
    const { rows } = await connection.client.query<{ comment: string | null }>(
      "SELECT pg_catalog.obj_description($1::int8::oid, 'pg_class') AS comment",
      [existing.oid],
    );
    // Kept first, in its own transaction: a crash between the two leaves the index and its copy,
    // and the re-run keeps it again and drops it.
    const { figures } = await runDdl(
      connection,
      (tx) =>
        keepDefinition(tx, {
          kind: "index",
          schema,
          table: existing.table ?? "",
          name: p.name,
          definition: existing.definition ?? "",
          children,
          comment: rows[0]?.comment ?? null,
        }),
      retryOptions(context),
    );
    addFigures(progress, figures);
    await dropIndexNow(connection, schema, p.name, partitioned, progress, retryOptions(context));
    return {
      figures: { ...progress.figures, changed: true, partition_indexes: children.length },
      notes: progress.notes,
    };
  },
  async verify(connection: PgConnection, p: Params) {
    return (await relationByName(connection.client, schemaOf(p), p.name)) === undefined;
  },
} satisfies ActionDef<Params, PgConnection>;

function adviceFor(users: string[]): string {
  if (users.some((u) => /owns it$/.test(u))) {
    return "drop that constraint with postgres.drop_constraint instead: it drops its index with it";
  }
  if (users.some((u) => u.startsWith("it is a partition"))) return "drop the partitioned index instead";
  return "drop those foreign keys first (postgres.drop_constraint)";
}
