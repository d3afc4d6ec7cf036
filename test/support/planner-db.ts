import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pgliteClient } from "../../src/adapters/postgres/pglite-client.js";
import { acquirePglite, type SharedPglite } from "../../src/adapters/postgres/pglite-shared.js";
import { adapters } from "../../src/adapters/registry.js";
import { openSystem, type SystemSession } from "../../src/services/system.js";

/** A PGlite file database for planner tests, and a system session with one component on it. */
export interface PlannerDb {
  dir: string;
  /** The database's directory: the component's connection is `pglite:<path>`. */
  path: string;
  shared: SharedPglite;
  system: SystemSession;
  close(): Promise<void>;
}

/**
 * Creates a file database in a temp dir, runs the scripts in it and opens a session whose one
 * component, `app-db`, reaches it. The instance stays held until `close`, so that the session's
 * connections (and an executor's) share it.
 */
export async function plannerDb(scripts: readonly string[], componentId = "app-db"): Promise<PlannerDb> {
  const dir = await mkdtemp(join(tmpdir(), "ma-planner-"));
  const path = join(dir, "db");
  const shared = await acquirePglite({ kind: "file", path });
  const client = pgliteClient(shared.db, { owned: false });
  for (const script of scripts) await client.exec(script);
  const system = openSystem(
    [{ id: componentId, kind: "postgres", connection: `pglite:${path}` }],
    adapters,
    {},
  );
  return {
    dir,
    path,
    shared,
    system,
    async close() {
      await shared.release();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
