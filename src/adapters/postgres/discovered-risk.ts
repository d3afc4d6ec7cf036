import type { ActionContext, RiskValues } from "../../core/catalog/catalog.js";
import {
  blastRadiusFromSize,
  discoveredTable,
  raiseRisk,
  sensitivityFromColumns,
} from "../../core/risk/derived-factors.js";
import type { ActionDef } from "../types.js";

/**
 * Live figures in every postgres action's risk (issue 4: "risk factors use live row counts and
 * sizes"): when validation has a discovery of the component, the static factors of an action on a
 * table are raised — never lowered — by the table's size (blast radius) and by what the columns
 * it touches look like they hold (sensitivity). One wrapper, so that no action can forget it.
 * add_column and drop_column derive their own (add_column caps the blast radius of a change that
 * rewrites nothing), so they are left as they are.
 */
const DERIVES_OWN = new Set(["postgres.add_column", "postgres.drop_column"]);

/** Actions whose step touches every column of the table (its data as a whole). */
const WHOLE_TABLE = new Set(["postgres.drop_table", "postgres.restore_table"]);

/** The columns a step names: `column`, `from`, `columns`, the keys of `set`. */
export function touchedColumns(params: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of ["column", "from"]) if (typeof params[key] === "string") out.push(params[key] as string);
  if (Array.isArray(params.columns))
    out.push(...params.columns.filter((c): c is string => typeof c === "string"));
  if (params.set && typeof params.set === "object") out.push(...Object.keys(params.set));
  return out;
}

export function discoveredRisk(
  action: string,
  base: RiskValues,
  params: unknown,
  context: ActionContext,
): RiskValues {
  if (!context.discovery || typeof params !== "object" || params === null) return base;
  const p = params as Record<string, unknown>;
  if (typeof p.table !== "string") return base;
  const schema = typeof p.schema === "string" ? p.schema : "public";
  const table = discoveredTable(context.discovery, schema, p.table);
  if (!table) return base;
  const names = new Set(touchedColumns(p));
  const columns = WHOLE_TABLE.has(action) ? table.columns : table.columns.filter((c) => names.has(c.name));
  return raiseRisk(base, {
    blast_radius: blastRadiusFromSize(table.rows, table.bytes),
    ...(columns.length ? { data_sensitivity: sensitivityFromColumns(columns) } : {}),
  });
}

export function withDiscoveredRisk<P, C>(action: ActionDef<P, C>): ActionDef<P, C> {
  if (DERIVES_OWN.has(action.name)) return action;
  return {
    ...action,
    risk: (params, context) => discoveredRisk(action.name, action.risk(params, context), params, context),
  };
}
