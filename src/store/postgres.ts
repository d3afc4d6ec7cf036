import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { DrizzleStore } from "./drizzle-store.js";
import { migrationsFolder } from "./migrations-folder.js";
import type { Store } from "./types.js";

// The advisory lock that serialises migrations, in the two-key space so it cannot collide with
// the single-key locks runs take on components. 0x6d61 is "ma".
const MIGRATION_LOCK = [0x6d61, 1] as const;

/**
 * Opens the store on a PostgreSQL server (`MA_STATE_URL`): a node-postgres pool, migrations
 * applied before the store is returned. Two processes opening a fresh database at once take
 * turns on an advisory lock, so the migrations run once.
 */
export async function openPostgresStore(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url });
  // An idle client whose connection drops emits 'error' on the pool; unhandled, it would end the
  // process. The next query reports the problem where it can be handled.
  pool.on("error", () => undefined);
  try {
    const db = drizzle({ client: pool });
    await withMigrationLock(pool, () => migrate(db, { migrationsFolder: migrationsFolder() }));
    return new DrizzleStore(db, () => pool.end());
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

async function withMigrationLock(pool: pg.Pool, body: () => Promise<void>): Promise<void> {
  // A session lock on a client of its own: the migrator's transaction uses another client.
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1, $2)", [...MIGRATION_LOCK]);
    try {
      await body();
    } finally {
      await client.query("select pg_advisory_unlock($1, $2)", [...MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
