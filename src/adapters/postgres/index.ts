export { addColumn } from "./actions/add-column.js";
export { dropColumn } from "./actions/drop-column.js";
export { restoreColumn } from "./actions/restore-column.js";
export { sql } from "./actions/sql.js";
export { postgresActions, postgresAdapter } from "./adapter.js";
export type { DedicatedSession, Queryable, QueryResult, SqlClient } from "./client.js";
export {
  connectPostgres,
  type DdlSettings,
  type LockScope,
  type PgConnection,
  pgConnection,
} from "./connection.js";
export type { PgDiscovery, PgTable, PgView } from "./discover.js";
export { nodePgClient } from "./node-pg-client.js";
export { pgliteClient } from "./pglite-client.js";
export { acquirePglite, type PgliteTarget, type SharedPglite } from "./pglite-shared.js";
export { snapshotPostgres } from "./snapshot.js";
