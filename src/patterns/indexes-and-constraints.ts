import { preChecks, sqlCheck, viewsAnswer } from "./checks.js";
import type { PlanBuilder } from "./plan-builder.js";
import { PlanRefusal } from "./refusal.js";
import { ident, literal, relation } from "./sql-text.js";
import { estimate, pgName, rowsOf, type TableTarget } from "./target.js";

const tableParams = (t: TableTarget) => ({
  table: t.table.name,
  ...(t.schema !== "public" ? { schema: t.schema } : {}),
});

/** Whether an index already leads with these columns (so a new one would only duplicate it). */
export function indexedBy(t: TableTarget, columns: readonly string[]): string | undefined {
  return t.table.indexes.find((i) => i.valid && columns.every((c, k) => i.columns[k] === c))?.name;
}

/**
 * An index built CONCURRENTLY: writes go on while it builds; an invalid index a failure leaves
 * behind is cleaned up by the action.
 */
export function createIndex(
  b: PlanBuilder,
  t: TableTarget,
  columns: string[],
  options: { unique?: boolean; name?: string; inPhase?: boolean } = {},
): string {
  const existing = t.table.indexes.find(
    (i) => i.valid && i.columns.join(",") === columns.join(",") && (!options.unique || i.unique),
  );
  if (existing && !options.inPhase) {
    throw new PlanRefusal(`${t.table.name}(${columns.join(", ")}) is already indexed by ${existing.name}`);
  }
  const name = options.name ?? pgName(t.table.name, ...columns, options.unique ? "key" : "idx");
  if (!options.inPhase) {
    b.phase({ id: "index", name: `Index ${t.table.name}(${columns.join(", ")})` });
    preChecks(b, t);
  }
  const id = b.step({
    id: `index-${columns.join("-")}`,
    name: `Build ${options.unique ? "unique " : ""}index ${name} concurrently`,
    action: "postgres.create_index",
    params: { ...tableParams(t), columns, name, ...(options.unique ? { unique: true } : {}) },
    estimated_duration: estimate(rowsOf(t), 200_000),
  });
  sqlCheck(
    b,
    `${name}-valid`,
    options.inPhase ? "intra" : "post",
    `SELECT count(*) = 1 FROM pg_index WHERE indexrelid = to_regclass(${literal(t.schema === "public" ? name : `${t.schema}.${name}`)}) AND indisvalid`,
    `${name} exists and is valid`,
  );
  return id;
}

/** A unique constraint: its index built CONCURRENTLY, then attached with USING INDEX. */
export function addUnique(b: PlanBuilder, t: TableTarget, columns: string[], name?: string): void {
  const constraint = name ?? pgName(t.table.name, ...columns, "key");
  b.phase({ id: "unique", name: `Unique ${t.table.name}(${columns.join(", ")})` });
  preChecks(b, t);
  const cols = columns.map(ident).join(", ");
  sqlCheck(
    b,
    "no-duplicates",
    "pre",
    `SELECT NOT EXISTS (SELECT 1 FROM ${relation(t.schema, t.table.name)} WHERE ${columns.map((c) => `${ident(c)} IS NOT NULL`).join(" AND ")} GROUP BY ${cols} HAVING count(*) > 1)`,
    `no two rows share (${columns.join(", ")})`,
    "data_integrity",
  );
  b.step({
    id: `unique-${columns.join("-")}`,
    name: `Unique constraint ${constraint} from an index built concurrently`,
    action: "postgres.add_unique",
    params: { ...tableParams(t), columns, name: constraint },
    estimated_duration: estimate(rowsOf(t), 200_000),
  });
  viewsAnswer(b, t);
}

/**
 * A foreign key: an index on the referencing columns first when there is none (deletes on the
 * referenced table would scan this one), a pre check for orphans, then NOT VALID and VALIDATE.
 */
export function addForeignKey(
  b: PlanBuilder,
  t: TableTarget,
  columns: string[],
  references: { schema: string; table: string; columns: string[] },
  onDelete?: string,
): string[] {
  const notes: string[] = [];
  const name = pgName(t.table.name, ...columns, "fkey");
  b.phase({
    id: "foreign-key",
    name: `${t.table.name}(${columns.join(", ")}) references ${references.table}`,
  });
  preChecks(b, t);
  const rel = relation(t.schema, t.table.name);
  const ref = relation(references.schema, references.table);
  const on = columns.map((c, i) => `p.${ident(references.columns[i] ?? c)} = c.${ident(c)}`).join(" AND ");
  sqlCheck(
    b,
    "no-orphans",
    "pre",
    `SELECT NOT EXISTS (SELECT 1 FROM ${rel} c WHERE ${columns.map((c) => `c.${ident(c)} IS NOT NULL`).join(" AND ")} AND NOT EXISTS (SELECT 1 FROM ${ref} p WHERE ${on}))`,
    `every ${t.table.name} row points at an existing ${references.table} row`,
    "data_integrity",
  );
  if (!indexedBy(t, columns)) {
    createIndex(b, t, columns, { inPhase: true });
    notes.push(
      `${t.table.name}(${columns.join(", ")}) had no index: the plan builds one first, so that deletes on ${references.table} do not scan ${t.table.name}`,
    );
  }
  b.step({
    id: `fk-${columns.join("-")}`,
    name: `Foreign key ${name}: NOT VALID, then VALIDATE while writes go on`,
    action: "postgres.add_foreign_key",
    params: {
      ...tableParams(t),
      columns,
      references: {
        table: references.table,
        columns: references.columns,
        ...(references.schema !== "public" ? { schema: references.schema } : {}),
      },
      name,
      ...(onDelete ? { on_delete: onDelete } : {}),
    },
    estimated_duration: estimate(rowsOf(t), 200_000),
  });
  return notes;
}

/** A CHECK constraint: a pre check that no row breaks it, then NOT VALID and VALIDATE. */
export function addCheck(b: PlanBuilder, t: TableTarget, expression: string, name?: string): void {
  const constraint = name ?? pgName(t.table.name, "check", String(t.table.constraints.length + 1));
  if (t.table.constraints.some((c) => c.name === constraint)) {
    throw new PlanRefusal(`${t.table.name} already has a constraint ${constraint}`);
  }
  b.phase({ id: "check", name: `CHECK (${expression}) on ${t.table.name}` });
  preChecks(b, t);
  sqlCheck(
    b,
    "no-violations",
    "pre",
    `SELECT count(*) = 0 FROM ${relation(t.schema, t.table.name)} WHERE NOT (${expression})`,
    `no row breaks CHECK (${expression})`,
    "data_integrity",
  );
  b.step({
    id: `check-${constraint}`.replace(/_/g, "-"),
    name: `CHECK ${constraint}: NOT VALID, then VALIDATE`,
    action: "postgres.add_check_constraint",
    params: { ...tableParams(t), name: constraint, expression },
    estimated_duration: estimate(rowsOf(t), 200_000),
  });
}
