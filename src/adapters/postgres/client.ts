/**
 * The SQL client the PostgreSQL adapter talks through, over both drivers: PGlite (embedded,
 * `@electric-sql/pglite`) and node-postgres (`pg`). Thin on purpose: queries, scripts,
 * transactions, a pinned session and a dedicated connection.
 *
 * PGlite is a single connection in this process: its queries and transactions are serialized by
 * PGlite itself, a session-level `SET` is seen by every later statement, and there is no second
 * connection to hold a lock on (`dedicated` is absent).
 */

export type Row = Record<string, unknown>;

export interface QueryResult<R = Row> {
  rows: R[];
  /** Rows returned or changed, as the command tag reports it. */
  rowCount: number;
}

/** What runs SQL: the client itself, a transaction, a pinned or dedicated session. */
export interface Queryable {
  /**
   * One statement, with `$1…` parameters. Always sent with the extended protocol, so a second
   * statement smuggled into the text is refused by the server.
   */
  query<R = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** A script of one or more statements, without parameters (the simple protocol). */
  exec(sql: string): Promise<void>;
}

export interface DedicatedSession extends Queryable {
  close(): Promise<void>;
}

export interface SqlClient extends Queryable {
  readonly driver: "pglite" | "pg";
  /** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs `fn` on one connection, so that a session-level `SET` applies to what follows it. */
  pinned<T>(fn: (session: Queryable) => Promise<T>): Promise<T>;
  /**
   * A connection of its own, open until closed, named `applicationName` in pg_stat_activity
   * (PostgreSQL only: a session advisory lock lives on it).
   */
  dedicated?(applicationName: string): Promise<DedicatedSession>;
  close(): Promise<void>;
}

/** The SQLSTATE of a driver error, when it has one (`55P03`: lock_not_available). */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
