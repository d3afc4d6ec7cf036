import type { PgColumn } from "../adapters/postgres/discover.js";
import { preChecks, sqlCheck, viewsAnswer } from "./checks.js";
import type { PlanBuilder } from "./plan-builder.js";
import { PlanRefusal } from "./refusal.js";
import { ident, relation } from "./sql-text.js";
import { estimate, pgName, rowsOf, type TableTarget, tableParams, viewsReading } from "./target.js";

/**
 * Move a column to a new table keyed like the old one. expand: the table, its foreign key (ON
 * DELETE CASCADE, so deleted rows leave with their owner) and a trigger that copies every write
 * of the column; backfill: the existing values; contract: the trigger goes, then the column
 * (backed up, gated). The catalogue has no trigger action, so the trigger and the copy are raw
 * SQL, each with its rollback SQL.
 */
export function moveColumn(b: PlanBuilder, t: TableTarget, column: PgColumn, to: string): void {
  const pk = t.table.primary_key;
  if (!pk.length) throw new PlanRefusal(`${t.table.name} has no primary key to key ${to} by`);
  if (pk.includes(column.name))
    throw new PlanRefusal(`${column.name} is part of ${t.table.name}'s primary key`);
  const readers = viewsReading(t, column.name);
  if (readers.length) {
    throw new PlanRefusal(
      `${readers.map((v) => v.name).join(", ")} read ${t.table.name}.${column.name}: change them first`,
    );
  }
  const keyColumns = pk.map((name) => {
    const c = t.table.columns.find((x) => x.name === name);
    if (!c) throw new PlanRefusal(`${t.table.name}'s key column ${name} was not found`);
    return { name, type: c.type.replace(/^bigserial$/, "bigint"), nullable: false };
  });
  const from = relation(t.schema, t.table.name);
  const target = relation(t.schema, to);
  const keys = pk.map(ident).join(", ");
  const col = ident(column.name);
  const fn = relation(t.schema, pgName("ma_move", t.table.name, column.name));
  const trigger = ident(pgName("ma_move", t.table.name, column.name));
  const createTrigger =
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN ` +
    `INSERT INTO ${target} (${keys}, ${col}) VALUES (${pk.map((k) => `NEW.${ident(k)}`).join(", ")}, NEW.${col}) ` +
    `ON CONFLICT (${keys}) DO UPDATE SET ${col} = EXCLUDED.${col}; RETURN NULL; END $f$; ` +
    `DROP TRIGGER IF EXISTS ${trigger} ON ${from}; ` +
    `CREATE TRIGGER ${trigger} AFTER INSERT OR UPDATE OF ${col} ON ${from} FOR EACH ROW EXECUTE FUNCTION ${fn}();`;
  const dropTrigger = `DROP TRIGGER IF EXISTS ${trigger} ON ${from}; DROP FUNCTION IF EXISTS ${fn}();`;
  const schema = t.schema !== "public" ? { schema: t.schema } : {};

  b.phase({
    id: "expand",
    name: `Expand: ${to} beside ${t.table.name}, kept in sync`,
    pattern: "expand-contract",
  });
  preChecks(b, t);
  b.step({
    id: `create-${to}`,
    name: `Create ${to} (${[...pk, column.name].join(", ")})`,
    action: "postgres.create_table",
    params: {
      table: to,
      columns: [...keyColumns, { name: column.name, type: column.type, nullable: true }],
      primary_key: pk,
      ...schema,
    },
    estimated_duration: "1s",
  });
  b.step({
    id: `link-${to}`,
    name: `${to}(${pk.join(", ")}) references ${t.table.name}, ON DELETE CASCADE`,
    action: "postgres.add_foreign_key",
    params: {
      table: to,
      columns: pk,
      references: { table: t.table.name, columns: pk, ...schema },
      on_delete: "cascade",
      ...schema,
    },
    estimated_duration: "1s",
  });
  b.step({
    id: `sync-${column.name}`,
    name: `Copy every write of ${t.table.name}.${column.name} into ${to}`,
    action: "postgres.sql",
    params: { sql: createTrigger },
    rollback: { action: "postgres.sql", params: { sql: dropTrigger } },
    estimated_duration: "1s",
  });
  b.phase({ id: "backfill", name: `Copy the existing ${column.name} values into ${to}` });
  b.step({
    id: `copy-${column.name}`,
    name: `Copy ${t.table.name}.${column.name} into ${to} for the rows already there`,
    action: "postgres.sql",
    params: {
      sql: `INSERT INTO ${target} (${keys}, ${col}) SELECT ${keys}, ${col} FROM ${from} ON CONFLICT (${keys}) DO NOTHING`,
    },
    rollback: { action: "postgres.sql", params: { sql: `DELETE FROM ${target}` } },
    estimated_duration: estimate(rowsOf(t), 50_000),
  });
  const joined = pk.map((k) => `n.${ident(k)} = o.${ident(k)}`).join(" AND ");
  sqlCheck(
    b,
    `${to}-complete`,
    "intra",
    `SELECT count(*) = 0 FROM ${from} o LEFT JOIN ${target} n ON ${joined} WHERE n.${ident(pk[0] ?? "")} IS NULL OR n.${col} IS DISTINCT FROM o.${col}`,
    `every ${t.table.name} row has its ${column.name} in ${to}`,
    "data_integrity",
  );
  b.phase({
    id: "contract",
    name: `Contract: ${t.table.name}.${column.name} goes`,
    pattern: "expand-contract",
  });
  b.step({
    id: `unsync-${column.name}`,
    name: `Stop copying writes of ${column.name} (readers use ${to} now)`,
    action: "postgres.sql",
    params: { sql: dropTrigger },
    rollback: { action: "postgres.sql", params: { sql: createTrigger } },
    estimated_duration: "1s",
  });
  b.step({
    id: `drop-${column.name}`,
    name: `Back up ${t.table.name}.${column.name}, then drop it`,
    action: "postgres.drop_column",
    params: { ...tableParams(t), column: column.name },
    estimated_duration: estimate(rowsOf(t), 100_000),
  });
  viewsAnswer(b, t);
}
