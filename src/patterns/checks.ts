import type { PlanBuilder } from "./plan-builder.js";
import { relation } from "./sql-text.js";
import { type TableTarget, tableParams } from "./target.js";

/**
 * The health checks every plan starts with: the database answers, and the table's row count and
 * checksum are recorded (a pre check that fails aborts before anything changes).
 */
export function preChecks(b: PlanBuilder, target: TableTarget): void {
  b.check({ id: "db-up", type: "connectivity", stage: "pre", timeout: "5s" });
  b.check({
    id: `${target.table.name}-intact`,
    type: "data_integrity",
    stage: "pre",
    params: tableParams(target),
  });
}

/** A post check: every view reading the table still answers. */
export function viewsAnswer(b: PlanBuilder, target: TableTarget, stage: "intra" | "post" = "post"): void {
  for (const { view } of target.views) {
    if (view.materialized) continue;
    b.check({
      id: `${view.name}-readable`,
      type: "functional",
      stage,
      description: `${view.name} reads ${target.table.name}: it must still answer`,
      params: {
        sql: `SELECT count(*) >= 0 FROM (SELECT * FROM ${relation(view.schema, view.name)} LIMIT 1) v`,
      },
    });
  }
}

/** A functional check written as SQL that returns true. */
export function sqlCheck(
  b: PlanBuilder,
  id: string,
  stage: "pre" | "intra" | "post",
  sql: string,
  description: string,
  type: "functional" | "data_integrity" = "functional",
): void {
  b.check({ id, type, stage, description, params: { sql } });
}
