import type { PGlite, Transaction } from "@electric-sql/pglite";
import type { Queryable, QueryResult, Row, SqlClient } from "./client.js";

/**
 * A SqlClient over a PGlite instance. `close` closes the instance when `owned` (the default);
 * tests that share a template instance pass `owned: false`.
 */
export function pgliteClient(db: PGlite, options: { owned?: boolean } = {}): SqlClient {
  const owned = options.owned ?? true;
  const over = (target: PGlite | Transaction): Queryable => ({
    async query<R = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await target.query<R>(sql, [...params]);
      return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
  });
  const self = over(db);
  return {
    driver: "pglite",
    ...self,
    transaction: (fn) => db.transaction((tx) => fn(over(tx))),
    // One connection: every statement is already on it.
    pinned: (fn) => fn(self),
    close: async () => {
      if (owned && !db.closed) await db.close();
    },
  };
}
