import type { PgColumn } from "../adapters/postgres/discover.js";
import { quoteLiteral } from "../adapters/postgres/identifiers.js";
import { volatileCall } from "../core/lint/volatile.js";
import { preChecks, sqlCheck, viewsAnswer } from "./checks.js";
import type { PlanBuilder } from "./plan-builder.js";
import { PlanRefusal } from "./refusal.js";
import { ident, relation } from "./sql-text.js";
import { estimate, rowsOf, type TableTarget, tableParams, viewsReading } from "./target.js";

export interface NewColumn {
  name: string;
  type: string;
  nullable: boolean;
  default?: string;
}

/**
 * Add a column. Nullable, or required with a constant default: one step, catalog-only on
 * PostgreSQL 11+ (the default is stored once, no rewrite). Required with a volatile default
 * (now(), gen_random_uuid()): add it nullable with the default for new rows, backfill the old
 * rows in batches, then NOT NULL through a validated check — a volatile default in ADD COLUMN
 * would rewrite the table under ACCESS EXCLUSIVE.
 */
export function addColumn(b: PlanBuilder, t: TableTarget, column: NewColumn): void {
  if (t.table.columns.some((c) => c.name === column.name)) {
    throw new PlanRefusal(`${t.table.name} already has a column ${column.name}`);
  }
  if (!column.nullable && column.default === undefined && rowsOf(t) > 0) {
    throw new PlanRefusal(
      `a required column needs a value for the ${rowsOf(t).toLocaleString("en-US")} rows ${t.table.name} already has: say which default (e.g. "… default false"), or add it as optional`,
    );
  }
  const rel = relation(t.schema, t.table.name);
  const col = ident(column.name);
  const volatile = column.default !== undefined ? volatileCall(column.default) : undefined;
  b.phase({ id: "expand", name: `Add ${t.table.name}.${column.name}`, pattern: "expand-contract" });
  preChecks(b, t);
  if (column.nullable || !volatile) {
    b.step({
      id: `add-${column.name}`,
      name: `Add ${t.table.name}.${column.name} ${column.type}${column.nullable ? "" : " NOT NULL"}${column.default !== undefined ? ` DEFAULT ${column.default}` : ""}`,
      action: "postgres.add_column",
      params: {
        ...tableParams(t),
        column: {
          name: column.name,
          type: column.type,
          nullable: column.nullable,
          ...(column.default !== undefined ? { default: column.default } : {}),
        },
      },
      estimated_duration: "1s",
    });
  } else {
    b.step({
      id: `add-${column.name}`,
      name: `Add ${t.table.name}.${column.name} ${column.type}, nullable for now`,
      action: "postgres.add_column",
      params: { ...tableParams(t), column: { name: column.name, type: column.type, nullable: true } },
      estimated_duration: "1s",
    });
    b.step({
      id: `default-${column.name}`,
      name: `New rows get ${column.name} = ${column.default}`,
      action: "postgres.sql",
      params: {
        sql: `ALTER TABLE ${rel} ALTER COLUMN ${col} SET DEFAULT ${column.default}`,
        verify: `SELECT column_default IS NOT NULL FROM information_schema.columns WHERE table_schema = ${quoteLiteral(t.schema)} AND table_name = ${quoteLiteral(t.table.name)} AND column_name = ${quoteLiteral(column.name)}`,
      },
      rollback: {
        action: "postgres.sql",
        params: { sql: `ALTER TABLE ${rel} ALTER COLUMN ${col} DROP DEFAULT` },
      },
      estimated_duration: "1s",
    });
    b.phase({ id: "backfill", name: `Fill ${column.name} in the existing rows` });
    b.step({
      id: `backfill-${column.name}`,
      name: `Set ${column.name} = ${column.default} where it is NULL, in batches`,
      action: "postgres.backfill",
      params: { ...tableParams(t), set: { [column.name]: column.default }, where: `${col} IS NULL` },
      estimated_duration: estimate(rowsOf(t), 20_000),
    });
    b.phase({ id: "contract", name: `Make ${column.name} NOT NULL`, pattern: "expand-contract" });
    b.step({
      id: `require-${column.name}`,
      name: `NOT NULL on ${t.table.name}.${column.name} (validated check first, no long lock)`,
      action: "postgres.set_not_null",
      params: { ...tableParams(t), column: column.name },
      estimated_duration: estimate(rowsOf(t), 200_000),
    });
  }
  if (!column.nullable) {
    sqlCheck(
      b,
      `${column.name}-filled`,
      "post",
      `SELECT count(*) = 0 FROM ${rel} WHERE ${col} IS NULL`,
      `every row of ${t.table.name} has ${column.name}`,
      "data_integrity",
    );
  }
  viewsAnswer(b, t);
}

/**
 * Drop a column: a contract step that backs the values up first (its undo restores them), so
 * the core gates it. Refused while a view still reads the column: the drop would fail, or take
 * the view with it.
 */
export function dropColumn(b: PlanBuilder, t: TableTarget, column: PgColumn): void {
  const readers = viewsReading(t, column.name);
  if (readers.length) {
    throw new PlanRefusal(
      `${readers.map((v) => v.name).join(", ")} ${readers.length > 1 ? "read" : "reads"} ${t.table.name}.${column.name}: change ${readers.length > 1 ? "those views" : "that view"} first (postgres.replace_view), then drop the column`,
    );
  }
  const pk = t.table.primary_key;
  if (pk.includes(column.name)) {
    throw new PlanRefusal(
      `${t.table.name}.${column.name} is part of the primary key; it cannot be dropped alone`,
    );
  }
  b.phase({ id: "contract", name: `Drop ${t.table.name}.${column.name}`, pattern: "expand-contract" });
  preChecks(b, t);
  b.step({
    id: `drop-${column.name}`,
    name: `Back up ${t.table.name}.${column.name}, then drop it`,
    action: "postgres.drop_column",
    params: { ...tableParams(t), column: column.name },
    estimated_duration: estimate(rowsOf(t), 100_000),
  });
  sqlCheck(
    b,
    `${column.name}-gone`,
    "post",
    `SELECT count(*) = 0 FROM information_schema.columns WHERE table_schema = ${quoteLiteral(t.schema)} AND table_name = ${quoteLiteral(t.table.name)} AND column_name = ${quoteLiteral(column.name)}`,
    `${t.table.name}.${column.name} is gone`,
  );
  viewsAnswer(b, t);
}

/**
 * Rename a column with expand/contract: the expand adds the new name beside the old, kept equal
 * both ways by a trigger and backfilled (views reading the old name are offered under the new);
 * old and new application versions both work until the contract retires the old name.
 */
export function renameColumn(b: PlanBuilder, t: TableTarget, from: PgColumn, to: string): void {
  if (t.table.columns.some((c) => c.name === to)) {
    throw new PlanRefusal(`${t.table.name} already has a column ${to}`);
  }
  const rel = relation(t.schema, t.table.name);
  b.phase({
    id: "expand",
    name: `Expand: ${t.table.name}.${to} beside ${from.name}`,
    pattern: "expand-contract",
  });
  preChecks(b, t);
  b.step({
    id: `expand-${to}`,
    name: `Add ${to}, sync both ways with ${from.name}, backfill`,
    action: "postgres.rename_column",
    params: { ...tableParams(t), from: from.name, to, stage: "expand" },
    estimated_duration: estimate(rowsOf(t), 20_000),
  });
  sqlCheck(
    b,
    `${to}-equals-${from.name}`,
    "intra",
    `SELECT count(*) = 0 FROM ${rel} WHERE ${ident(from.name)} IS DISTINCT FROM ${ident(to)}`,
    `${to} holds the same values as ${from.name}`,
    "data_integrity",
  );
  b.phase({
    id: "contract",
    name: `Contract: retire the name ${from.name} once every reader uses ${to}`,
    pattern: "expand-contract",
  });
  b.step({
    id: `contract-${from.name}`,
    name: `Retire ${t.table.name}.${from.name} (the values stay under ${to})`,
    action: "postgres.rename_column",
    params: { ...tableParams(t), from: from.name, to, stage: "contract" },
    rollback: { inverse: true, level: 1 },
    estimated_duration: "5s",
  });
  viewsAnswer(b, t);
}
