import { resolve } from "node:path";
import { openPgliteStore } from "./pglite.js";
import { openPostgresStore } from "./postgres.js";
import type { Store } from "./types.js";

/** Where the embedded store lives when no directory is named: `.migration-architect/` of the cwd. */
export const DEFAULT_STATE_DIR = ".migration-architect";

export interface OpenStoreOptions {
  /** PGlite's directory (default `.migration-architect/` of the cwd), or `":memory:"`. */
  stateDir?: string;
  /** A PostgreSQL connection string (`MA_STATE_URL`); wins over `stateDir`. */
  url?: string;
}

/**
 * Opens the store, migrated to the current schema: on PostgreSQL when a `url` is given, on an
 * embedded PGlite otherwise. Both run the same queries (`DrizzleStore`).
 *
 * @example
 * const store = await openStore({ url: process.env.MA_STATE_URL, stateDir: options.state });
 * try { … } finally { await store.close(); }
 */
export function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  if (options.url) return openPostgresStore(options.url);
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  return openPgliteStore(stateDir === ":memory:" ? stateDir : resolve(stateDir));
}
