import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { SchemaName } from "../identifiers.js";
import { relationExists } from "../introspect.js";
import { retryOptions, schemaOf, staticRisk, withSchema } from "./common.js";
import { RelationName } from "./table-archive.js";
import { sqlHash } from "./view-backup.js";
import {
  defineView,
  inRolledBackTransaction,
  probeDefinition,
  ViewConflictError,
  ViewSql,
  viewDefinition,
  viewRef,
} from "./view-state.js";

const Params = z.strictObject({ name: RelationName, sql: ViewSql, schema: SchemaName });
type Params = z.infer<typeof Params>;

const viewName = (p: Params) => (p.schema && p.schema !== "public" ? `${p.schema}.${p.name}` : p.name);

/**
 * `postgres.create_view`: an expand step. A new view over existing tables: a catalog change that
 * no reader waits for. A view of that name with the same query (a re-run) is left as it is; one
 * with another query is an error (use replace_view). Undone by drop_view, which keeps the
 * definition in its own slot so that an earlier drop_view of the same name is still undone right.
 */
export const createView = {
  name: "postgres.create_view",
  params: Params,
  // Documented static factors: one CREATE VIEW (complexity 0.1); nobody reads the new view yet
  // (blast radius 0.1); drop_view undoes it (0.1); a view holds no data (0.1).
  risk: staticRisk({
    complexity: 0.1,
    blast_radius: 0.1,
    reversibility_difficulty: 0.1,
    data_sensitivity: 0.1,
  }),
  hasInverse: () => true,
  describe: (p: Params) => `create view ${viewName(p)}`,
  inverse: (p: Params) => ({
    action: "postgres.drop_view",
    params: { name: p.name, ...withSchema(p), kept_as: `created_${sqlHash(p.sql)}` },
  }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        const existing = await viewRef(tx, schema, p.name);
        if (existing) {
          if (existing.kind !== "view")
            throw new ViewConflictError(viewName(p), "create", "a materialized view has that name");
          if ((await viewDefinition(tx, existing.oid)) === (await probeDefinition(tx, schema, p.sql)))
            return false;
          throw new ViewConflictError(
            viewName(p),
            "create",
            "a view of that name exists with another query: use replace_view to change it",
          );
        }
        if (await relationExists(tx, schema, p.name)) {
          throw new ViewConflictError(
            viewName(p),
            "create",
            `a table, sequence or index is named ${schema}.${p.name}`,
          );
        }
        await defineView(tx, schema, p.name, p.sql, [], false);
        return true;
      },
      retryOptions(context),
    );
    return {
      figures: { ...figures, changed: value },
      notes: value ? [] : [`${viewName(p)} was already there with this query: nothing done`],
    };
  },
  async verify(connection: PgConnection, p: Params) {
    const schema = schemaOf(p);
    return inRolledBackTransaction(connection.client, async (tx) => {
      const existing = await viewRef(tx, schema, p.name);
      if (existing?.kind !== "view") return false;
      return (await viewDefinition(tx, existing.oid)) === (await probeDefinition(tx, schema, p.sql));
    });
  },
} satisfies ActionDef<Params, PgConnection>;
