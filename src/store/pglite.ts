import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { DrizzleStore } from "./drizzle-store.js";
import { migrationsFolder } from "./migrations-folder.js";
import { lockStateDir } from "./state-dir-lock.js";
import type { Store } from "./types.js";

/** The name of PGlite's data directory inside the state directory. */
export const PGLITE_DATA_DIR = "pglite";

/**
 * Opens the embedded store: PGlite with its data under `<stateDir>/pglite` (created if need be),
 * or in memory when `stateDir` is `":memory:"`. Migrations are applied before the store is
 * returned. PGlite is one connection serving one process: the directory is locked while the
 * store is open (`StateDirInUseError` otherwise), and PGlite queues transactions, so a
 * transition never interleaves with another.
 */
export async function openPgliteStore(stateDir: string): Promise<Store> {
  if (stateDir === ":memory:") return openPglite(undefined, async () => undefined);
  await mkdir(stateDir, { recursive: true });
  const unlock = await lockStateDir(stateDir);
  try {
    return await openPglite(join(stateDir, PGLITE_DATA_DIR), unlock);
  } catch (error) {
    await unlock();
    throw error;
  }
}

async function openPglite(dataDir: string | undefined, unlock: () => Promise<void>): Promise<Store> {
  const client = await PGlite.create(dataDir);
  try {
    const db = drizzle({ client });
    await migrate(db, { migrationsFolder: migrationsFolder() });
    return new DrizzleStore(db, async () => {
      // The lock goes only once PGlite has written its data back.
      await client.close();
      await unlock();
    });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}
