import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { TableDoesNotExistError } from "../errors.js";
import { Identifier, qualify, quoteIdent, SchemaName } from "../identifiers.js";
import { tableOid } from "../introspect.js";
import { retryOptions, schemaOf, staticRisk, tableName } from "./common.js";
import { constraintInfo, referencingKeys } from "./constraint-catalog.js";
import { RefusedError } from "./constraint-errors.js";
import { DEFINITIONS_TABLE, keepDefinition } from "./index-bookkeeping.js";

const Params = z.strictObject({ table: Identifier, name: Identifier, schema: SchemaName });
type Params = z.infer<typeof Params>;

/**
 * `postgres.drop_constraint`: keeps the constraint's definition (pg_get_constraintdef) in
 * `ma_backup__definitions`, then ALTER TABLE … DROP CONSTRAINT, both in one short transaction
 * under lock_timeout (ACCESS EXCLUSIVE, no scan; a unique or primary key takes its index with it).
 * It is mostly the undo of add_check_constraint, add_foreign_key and add_unique. Its own undo is
 * not automatic: the params do not say what kind of constraint it was, so the rollback is written
 * in the blueprint (one of those actions, or postgres.sql with the kept definition).
 */
export const dropConstraint = {
  name: "postgres.drop_constraint",
  params: Params,
  // Documented static factors: one short statement (complexity 0.2); rows the constraint kept out
  // can come in from then on (blast radius 0.3); the undo is written by hand from the kept
  // definition, and re-validates every row (0.5); no data changes, but its guarantee goes (0.3).
  risk: staticRisk({
    complexity: 0.2,
    blast_radius: 0.3,
    reversibility_difficulty: 0.5,
    data_sensitivity: 0.3,
  }),
  hasInverse: (_params: unknown) => false,
  describe: (p: Params) =>
    `drop constraint ${p.name} of ${tableName(p)}, keeping its definition in ${DEFINITIONS_TABLE}`,
  inverse: (p: Params) => ({
    manual:
      `re-add constraint ${p.name} of ${tableName(p)}: its definition is kept in ${schemaOf(p)}.${DEFINITIONS_TABLE} ` +
      `(kind 'constraint', table_name '${p.table}', name '${p.name}'); give this step a rollback: ` +
      "postgres.add_check_constraint, add_foreign_key or add_unique with the same name, or a postgres.sql " +
      "ALTER TABLE … ADD CONSTRAINT with that definition",
  }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const { value, figures } = await runDdl(
      connection,
      async (tx) => {
        const oid = await tableOid(tx, schema, p.table);
        if (oid === undefined) throw new TableDoesNotExistError(schema, p.table);
        const existing = await constraintInfo(tx, oid, p.name);
        if (!existing) return undefined;
        const refuse = (reason: string) =>
          new RefusedError("postgres.drop_constraint", `constraint ${p.name} of ${tableName(p)}`, reason);
        if (existing.type === "n") throw refuse("it is a NOT NULL constraint: use postgres.drop_not_null");
        if (existing.inherited) throw refuse("it is inherited from a parent table: drop it there");
        const references = await referencingKeys(tx, oid, p.name);
        if (references.length) {
          throw refuse(`foreign keys reference through it (${references.join(", ")}): drop those first`);
        }
        await keepDefinition(tx, {
          kind: "constraint",
          schema,
          table: p.table,
          name: p.name,
          type: existing.type,
          definition: existing.definition,
        });
        await tx.query(`ALTER TABLE ${qualify(schema, p.table)} DROP CONSTRAINT ${quoteIdent(p.name)}`);
        return existing.definition;
      },
      retryOptions(context),
    );
    return {
      figures: { ...figures, changed: value !== undefined },
      notes:
        value === undefined
          ? [`${tableName(p)} has no constraint ${p.name}: nothing done`]
          : [`dropped ${p.name}: ${value} (kept in ${schema}.${DEFINITIONS_TABLE})`],
    };
  },
  async verify(connection: PgConnection, p: Params) {
    const oid = await tableOid(connection.client, schemaOf(p), p.table);
    return oid !== undefined && (await constraintInfo(connection.client, oid, p.name)) === undefined;
  },
} satisfies ActionDef<Params, PgConnection>;
