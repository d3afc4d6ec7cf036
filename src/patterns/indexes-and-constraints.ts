import { quoteLiteral } from "../adapters/postgres/identifiers.js";
import { preChecks, sqlCheck, viewsAnswer } from "./checks.js";
import type { PlanBuilder } from "./plan-builder.js";
import { PlanRefusal } from "./refusal.js";
import { ident, relation } from "./sql-text.js";
import { estimate, freeName, pgName, rowsOf, type TableTarget, tableParams } from "./target.js";

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
  const name = options.name ?? freeName(t, pgName(t.table.name, ...columns, options.unique ? "key" : "idx"));
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
    `SELECT count(*) = 1 FROM pg_index WHERE indexrelid = to_regclass(${quoteLiteral(t.schema === "public" ? name : `${t.schema}.${name}`)}) AND indisvalid`,
    `${name} exists and is valid`,
  );
  return id;
}

/**
 * A unique constraint: its index built CONCURRENTLY, then attached with USING INDEX. Refused when
 * the columns are unique already (a constraint, or a unique index without a WHERE): the action
 * would find it and do nothing, and the rollback would drop what the run never made.
 */
export function addUnique(b: PlanBuilder, t: TableTarget, columns: string[], name?: string): void {
  const sameSet = (cols: readonly string[]) =>
    cols.length === columns.length && columns.every((c) => cols.includes(c));
  const already =
    t.table.constraints.find((c) => (c.type === "unique" || c.type === "primary_key") && sameSet(c.columns))
      ?.name ??
    t.table.indexes.find((i) => i.valid && i.unique && sameSet(i.columns) && !/\bWHERE\b/i.test(i.definition))
      ?.name;
  if (already) {
    throw new PlanRefusal(`${t.table.name}(${columns.join(", ")}) is already unique: ${already}`);
  }
  if (name && t.table.constraints.some((c) => c.name === name)) {
    throw new PlanRefusal(`${t.table.name} already has a constraint ${name}`);
  }
  const constraint = name ?? freeName(t, pgName(t.table.name, ...columns, "key"));
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
 * Refused when the same key exists (its rollback would drop the key the table already had).
 */
export function addForeignKey(
  b: PlanBuilder,
  t: TableTarget,
  columns: string[],
  references: { schema: string; table: string; columns: string[] },
  onDelete?: string,
): string[] {
  const notes: string[] = [];
  const existing = t.table.constraints.find(
    (c) =>
      c.type === "foreign_key" &&
      c.references?.schema === references.schema &&
      c.references.table === references.table &&
      c.columns.join(",") === columns.join(","),
  );
  if (existing) {
    throw new PlanRefusal(
      `${t.table.name}(${columns.join(", ")}) already references ${references.table}: ${existing.name}${existing.validated ? "" : ` (still NOT VALID: what is left to do is VALIDATE CONSTRAINT ${existing.name})`}`,
    );
  }
  const name = freeName(t, pgName(t.table.name, ...columns, "fkey"));
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

/**
 * A CHECK constraint: a pre check that no row breaks it, then NOT VALID and VALIDATE. Refused
 * when the table has the same check already (as PostgreSQL prints it, parentheses aside).
 */
export function addCheck(b: PlanBuilder, t: TableTarget, expression: string, name?: string): void {
  const bare = (sql: string) => sql.toLowerCase().replace(/[\s()]/g, "");
  const same = t.table.constraints.find(
    (c) => c.type === "check" && bare(c.definition) === `check${bare(expression)}`,
  );
  if (same) throw new PlanRefusal(`${t.table.name} already has CHECK (${expression}): ${same.name}`);
  if (name && t.table.constraints.some((c) => c.name === name)) {
    throw new PlanRefusal(`${t.table.name} already has a constraint ${name}`);
  }
  const constraint = name ?? freeName(t, pgName(t.table.name, "check"));
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
