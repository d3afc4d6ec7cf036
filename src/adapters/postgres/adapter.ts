import type { ActionDef, Adapter } from "../types.js";
import { addColumn } from "./actions/add-column.js";
import { dropColumn } from "./actions/drop-column.js";
import { expandContractActions } from "./actions/expand-contract.js";
import { indexAndConstraintActions } from "./actions/indexes-and-constraints.js";
import { restoreColumn } from "./actions/restore-column.js";
import { sql } from "./actions/sql.js";
import { tableAndViewActions } from "./actions/tables-and-views.js";
import { connectPostgres, type PgConnection } from "./connection.js";
import { discoverPostgres } from "./discover.js";
import { withDiscoveredRisk } from "./discovered-risk.js";
import { healthCheckPostgres } from "./health-check.js";
import { lockPostgres } from "./lock.js";
import { snapshotPostgres } from "./snapshot.js";

/** The actions of this adapter, each with its own params type, as the port lists them. */
export const postgresActions: ReadonlyArray<ActionDef<Record<string, unknown>, PgConnection>> = [
  sql,
  addColumn,
  dropColumn,
  restoreColumn,
  ...tableAndViewActions,
  ...indexAndConstraintActions,
  ...expandContractActions,
].map((action) => withDiscoveredRisk(action as unknown as ActionDef<Record<string, unknown>, PgConnection>));

/**
 * The `postgres` adapter, over PostgreSQL (node-postgres) and PGlite: discovery, the
 * `postgres.*` actions, health checks, snapshots and the run lock.
 */
export const postgresAdapter = {
  kind: "postgres",
  actions: postgresActions,
  connect: connectPostgres,
  discover: discoverPostgres,
  healthCheck: healthCheckPostgres,
  snapshot: snapshotPostgres,
  lock: lockPostgres,
} satisfies Adapter<PgConnection>;
