import pg from "pg";
import type { DedicatedSession, Queryable, QueryResult, Row, SqlClient } from "./client.js";

const APPLICATION_NAME = "migration-architect";

/** The parts of pg's Client and PoolClient this module uses. */
type PgQueryTarget = Pick<pg.ClientBase, "query">;

function over(target: PgQueryTarget): Queryable {
  return {
    async query<R = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      // queryMode "extended": one statement per call, even without parameters (not in @types/pg).
      const config = { text: sql, values: [...params], queryMode: "extended" } as pg.QueryConfig;
      const result = (await target.query(config)) as unknown as pg.QueryResult<R & pg.QueryResultRow>;
      return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await target.query(sql);
    },
  };
}

/**
 * A SqlClient over a node-postgres pool (`max` connections, 4 by default: the executor runs up to
 * four steps at once). Nothing connects until the first query.
 */
export function nodePgClient(url: string, options: { max?: number } = {}): SqlClient {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    application_name: APPLICATION_NAME,
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection that dies (server restart, database dropped) must not crash the process;
  // the next query reports the problem.
  pool.on("error", () => undefined);
  const self = over(pool);

  /** Runs `fn` on one pooled connection; a connection left unusable is destroyed, not reused. */
  async function withClient<T>(
    fn: (client: pg.PoolClient, discard: (e: Error) => void) => Promise<T>,
  ): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(client, (error) => {
        broken = error;
      });
    } finally {
      client.release(broken);
    }
  }

  return {
    driver: "pg",
    ...self,
    transaction: (fn) =>
      withClient(async (client, discard) => {
        await client.query("BEGIN");
        try {
          const result = await fn(over(client));
          await client.query("COMMIT");
          return result;
        } catch (error) {
          await client.query("ROLLBACK").catch(discard);
          throw error;
        }
      }),
    pinned: (fn) =>
      withClient(async (client, discard) => {
        try {
          return await fn(over(client));
        } catch (error) {
          // A script that failed inside its own BEGIN leaves the session in a transaction: end it
          // (outside one, ROLLBACK is only a warning), so the next user of the connection starts clean.
          await client.query("ROLLBACK").catch(discard);
          throw error;
        }
      }),
    async dedicated(applicationName: string): Promise<DedicatedSession> {
      const client = new pg.Client({
        connectionString: url,
        application_name: applicationName,
        connectionTimeoutMillis: 10_000,
      });
      client.on("error", () => undefined);
      await client.connect();
      return { ...over(client), close: () => client.end() };
    },
    close: () => pool.end(),
  };
}
