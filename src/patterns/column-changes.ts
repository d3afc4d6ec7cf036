import type { PgColumn } from "../adapters/postgres/discover.js";
import { quoteLiteral } from "../adapters/postgres/identifiers.js";
import { shadowColumnName } from "../core/catalog/shadow-column.js";
import { preChecks, sqlCheck, viewsAnswer } from "./checks.js";
import type { PlanBuilder } from "./plan-builder.js";
import { PlanRefusal } from "./refusal.js";
import { ident, relation } from "./sql-text.js";
import { estimate, rowsOf, type TableTarget, tableParams } from "./target.js";

/**
 * Change a column's type without rewriting the table under a lock: expand (a shadow column of
 * the new type kept equal by a two-way trigger), a batched, throttled backfill of the rows
 * already there (its own step: resumable, with its own progress), then the contract swaps the
 * shadow in under the column's name, keeping the old values in a backup.
 */
export function changeColumnType(
  b: PlanBuilder,
  t: TableTarget,
  column: PgColumn,
  type: string,
  using?: string,
): void {
  if (column.type.toLowerCase() === type.toLowerCase()) {
    throw new PlanRefusal(`${t.table.name}.${column.name} is already ${column.type}`);
  }
  const shadow = shadowColumnName(column.name);
  const conversion = using ?? `${ident(column.name)}::${type}`;
  const rel = relation(t.schema, t.table.name);
  const typeParams = {
    ...tableParams(t),
    column: column.name,
    type,
    ...(using ? { using } : {}),
  };
  b.phase({
    id: "expand",
    name: `Expand: ${shadow} ${type} beside ${column.name}, kept in sync`,
    pattern: "expand-contract",
  });
  preChecks(b, t);
  b.step({
    id: `expand-${column.name}`,
    name: `Add ${shadow} ${type}, sync both ways with ${column.name}`,
    action: "postgres.alter_column_type",
    params: { ...typeParams, stage: "expand", backfill: false },
    estimated_duration: "2s",
  });
  b.step({
    id: `backfill-${shadow}`,
    name: `Copy ${column.name} into ${shadow} for the existing rows, in batches`,
    action: "postgres.backfill",
    params: {
      ...tableParams(t),
      set: { [shadow]: conversion },
      where: `${ident(shadow)} IS DISTINCT FROM (${conversion})`,
      // A copy into the shadow is not an application write: the table's own triggers
      // (last_update, full-text, audit) must not rewrite the rows, as the expand's own copy.
      triggers: "skip",
    },
    estimated_duration: estimate(rowsOf(t), 20_000),
  });
  sqlCheck(
    b,
    `${shadow}-matches`,
    "intra",
    `SELECT count(*) = 0 FROM ${rel} WHERE ${ident(shadow)} IS DISTINCT FROM (${conversion})`,
    `${shadow} equals ${column.name} converted, on every row`,
    "data_integrity",
  );
  b.phase({
    id: "contract",
    name: `Contract: ${column.name} becomes ${type}`,
    pattern: "expand-contract",
  });
  b.step({
    id: `contract-${column.name}`,
    name: `Back up the old ${column.name}, swap ${shadow} in as ${column.name}`,
    action: "postgres.alter_column_type",
    params: { ...typeParams, stage: "contract" },
    rollback: { inverse: true, level: 1 },
    estimated_duration: estimate(rowsOf(t), 100_000),
  });
  sqlCheck(
    b,
    `${column.name}-is-${type.replace(/[^a-z0-9]+/gi, "-")}`,
    "post",
    `SELECT atttypid = ${quoteLiteral(type)}::regtype FROM pg_attribute WHERE attrelid = ${quoteLiteral(rel)}::regclass AND attname = ${quoteLiteral(column.name)}`,
    `${t.table.name}.${column.name} is ${type}`,
  );
  viewsAnswer(b, t);
}

/**
 * NOT NULL without a long lock: a CHECK … NOT VALID, validated while writes go on, then SET NOT
 * NULL uses it. With `fill`, NULLs are first replaced in batches; without, a pre check stops the
 * run before anything changes if there are NULLs.
 */
export function setNotNull(b: PlanBuilder, t: TableTarget, column: PgColumn, fill?: string): void {
  if (!column.nullable) throw new PlanRefusal(`${t.table.name}.${column.name} is already NOT NULL`);
  const rel = relation(t.schema, t.table.name);
  const col = ident(column.name);
  b.phase({ id: "require", name: `NOT NULL on ${t.table.name}.${column.name}`, pattern: "expand-contract" });
  preChecks(b, t);
  if (fill !== undefined) {
    b.step({
      id: `fill-${column.name}`,
      name: `Set ${column.name} = ${fill} where it is NULL, in batches`,
      action: "postgres.backfill",
      params: { ...tableParams(t), set: { [column.name]: fill }, where: `${col} IS NULL` },
      estimated_duration: estimate(rowsOf(t), 20_000),
    });
  } else {
    sqlCheck(
      b,
      `no-null-${column.name}`,
      "pre",
      `SELECT count(*) = 0 FROM ${rel} WHERE ${col} IS NULL`,
      `no row has ${column.name} NULL (else say what to fill them with)`,
      "data_integrity",
    );
  }
  b.step({
    id: `require-${column.name}`,
    name: `NOT NULL on ${t.table.name}.${column.name} through a validated check`,
    action: "postgres.set_not_null",
    params: { ...tableParams(t), column: column.name },
    estimated_duration: estimate(rowsOf(t), 200_000),
  });
  sqlCheck(
    b,
    `${column.name}-required`,
    "post",
    `SELECT is_nullable = 'NO' FROM information_schema.columns WHERE table_schema = ${quoteLiteral(t.schema)} AND table_name = ${quoteLiteral(t.table.name)} AND column_name = ${quoteLiteral(column.name)}`,
    `${t.table.name}.${column.name} is NOT NULL`,
  );
  viewsAnswer(b, t);
}
