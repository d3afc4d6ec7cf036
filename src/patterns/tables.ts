import { quoteLiteral } from "../adapters/postgres/identifiers.js";
import { preChecks, sqlCheck } from "./checks.js";
import type { PlanBuilder } from "./plan-builder.js";
import { PlanRefusal } from "./refusal.js";
import { ident, relation } from "./sql-text.js";
import { type TableTarget, tableParams } from "./target.js";

/**
 * Drop a table: archived by a rename (restore_table puts it back, data and all), so the core
 * gates it as a contract step. Refused while views read it or other tables reference it.
 */
export function dropTable(b: PlanBuilder, t: TableTarget): void {
  if (t.views.length) {
    throw new PlanRefusal(
      `${t.views.map((v) => v.view.name).join(", ")} ${t.views.length > 1 ? "read" : "reads"} ${t.table.name}: drop or change ${t.views.length > 1 ? "those views" : "that view"} first`,
    );
  }
  if (t.referencedBy.length) {
    throw new PlanRefusal(
      `${t.referencedBy.map((r) => `${r.table.name} (${r.constraint})`).join(", ")} ${t.referencedBy.length > 1 ? "reference" : "references"} ${t.table.name}: drop those foreign keys first`,
    );
  }
  if (t.table.partition_of) {
    throw new PlanRefusal(`${t.table.name} is a partition of ${t.table.partition_of.table}; detach it first`);
  }
  b.phase({
    id: "contract",
    name: `Drop ${t.table.name} (archived, restorable)`,
    pattern: "expand-contract",
  });
  preChecks(b, t);
  b.step({
    id: `drop-${t.table.name}`,
    name: `Archive ${t.table.name} under a backup name`,
    action: "postgres.drop_table",
    params: tableParams(t),
    estimated_duration: "2s",
  });
  sqlCheck(
    b,
    `${t.table.name}-gone`,
    "post",
    `SELECT to_regclass(${quoteLiteral(relation(t.schema, t.table.name))}) IS NULL`,
    `${t.table.name} no longer answers under its name`,
  );
}

/**
 * Rename a table with expand/contract: the table takes the new name and a view under the old
 * name keeps old readers and writers working (a simple view is updatable); the contract drops
 * that view once nothing uses the old name. The catalogue has no rename_table action, so the
 * expand is raw SQL with its own rollback SQL, in one transaction.
 */
export function renameTable(b: PlanBuilder, t: TableTarget, to: string): void {
  if (t.discovery.tables.some((x) => x.schema === t.schema && x.name === to)) {
    throw new PlanRefusal(`there is already a table ${to}`);
  }
  if (t.discovery.views.some((x) => x.schema === t.schema && x.name === to)) {
    throw new PlanRefusal(`there is already a view ${to}`);
  }
  const from = relation(t.schema, t.table.name);
  const target = relation(t.schema, to);
  b.phase({
    id: "expand",
    name: `Expand: ${t.table.name} becomes ${to}, the old name a view`,
    pattern: "expand-contract",
  });
  preChecks(b, t);
  b.step({
    id: `rename-${t.table.name}`,
    name: `Rename ${t.table.name} to ${to}; a view ${t.table.name} keeps the old name working`,
    action: "postgres.sql",
    params: {
      sql: `BEGIN; ALTER TABLE ${from} RENAME TO ${ident(to)}; CREATE VIEW ${from} AS SELECT * FROM ${target}; COMMIT;`,
      verify: `SELECT to_regclass(${quoteLiteral(relation(t.schema, to))}) IS NOT NULL`,
    },
    rollback: {
      action: "postgres.sql",
      params: {
        sql: `BEGIN; DROP VIEW IF EXISTS ${from}; ALTER TABLE ${target} RENAME TO ${ident(t.table.name)}; COMMIT;`,
      },
    },
    estimated_duration: "1s",
  });
  sqlCheck(
    b,
    "old-name-answers",
    "intra",
    `SELECT (SELECT count(*) FROM ${from}) = (SELECT count(*) FROM ${target})`,
    `${t.table.name} (now a view) and ${to} show the same rows`,
    "data_integrity",
  );
  b.phase({
    id: "contract",
    name: `Contract: retire the old name ${t.table.name}`,
    pattern: "expand-contract",
  });
  b.step({
    id: `retire-${t.table.name}`,
    name: `Drop the compatibility view ${t.table.name} (kept for restore)`,
    action: "postgres.drop_view",
    params: { name: t.table.name, ...(t.schema !== "public" ? { schema: t.schema } : {}) },
    estimated_duration: "1s",
  });
}
