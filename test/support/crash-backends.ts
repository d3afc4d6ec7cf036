/**
 * Where the crash harness's trials keep their target database and their run state: PGlite
 * directories (copied from templates) or databases on a PostgreSQL server (`CREATE DATABASE …
 * TEMPLATE`, the store there through `MA_STATE_URL`). The harness sees only `Place`s.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { SqlClient } from "../../src/adapters/postgres/client.js";
import type { LockScope } from "../../src/adapters/postgres/connection.js";
import { nodePgClient } from "../../src/adapters/postgres/node-pg-client.js";
import { pgliteClient } from "../../src/adapters/postgres/pglite-client.js";
import { openStore } from "../../src/store/open.js";
import type { Store } from "../../src/store/types.js";

/** One trial's database and state. */
export interface Place {
  /** For messages and for the kept evidence: a directory or `database names`. */
  where: string;
  /** What the blueprint's `env:CRASH_DB_URL` holds. */
  dbUrl: string;
  /** Arguments of every CLI command (`--state DIR` on PGlite). */
  args: string[];
  /** Environment of every CLI command (`MA_STATE_URL` on PostgreSQL). */
  env: Record<string, string>;
}

export interface CrashBackend {
  name: "PGlite" | "PostgreSQL";
  /**
   * Creates the source database from these scripts, and a state template with the store's
   * migrations applied (`initState` does that the way the CLI would, given a place).
   */
  setup(scripts: string[], initState: (place: Place) => Promise<void>): Promise<void>;
  /** A fresh copy of the source, with a state already initialised (`warm`) or none at all. */
  place(name: string, warm: boolean): Promise<Place>;
  /** A client on the place's database, in this process (no child may hold it). */
  openDb(place: Place): Promise<{ client: SqlClient; lockScope: LockScope; close(): Promise<void> }>;
  openStore(place: Place): Promise<Store>;
  dispose(place: Place): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * Copies a closed PGlite directory. `cp -R` where there is one: ten times faster than fs.cp on
 * PGlite's thousand small files.
 */
async function copyDir(from: string, to: string): Promise<void> {
  if (process.platform === "win32") await cp(from, to, { recursive: true });
  else await promisify(execFile)("cp", ["-R", from, to]);
}

export function pgliteBackend(work: string): CrashBackend {
  const dbTemplate = join(work, "template-db");
  const stateTemplate = join(work, "template-state");
  const dirs = (place: Place) => ({ db: join(place.where, "db"), state: join(place.where, "state") });
  return {
    name: "PGlite",
    async setup(scripts, initState) {
      const seeding = await PGlite.create(dbTemplate);
      try {
        for (const script of scripts) await seeding.exec(script);
      } finally {
        await seeding.close();
      }
      await initState({
        where: stateTemplate,
        dbUrl: "pglite:memory",
        args: ["--state", stateTemplate],
        env: {},
      });
      await rm(join(stateTemplate, "pglite.lock"), { force: true });
    },
    async place(name, warm) {
      const where = join(work, name);
      await mkdir(where, { recursive: true });
      const place: Place = { where, dbUrl: "", args: [], env: {} };
      const { db, state } = dirs(place);
      await copyDir(dbTemplate, db);
      if (warm) await copyDir(stateTemplate, state);
      return { where, dbUrl: `pglite:${db}`, args: ["--state", state], env: {} };
    },
    async openDb(place) {
      const db = await PGlite.create(dirs(place).db);
      return { client: pgliteClient(db), lockScope: { kind: "memory" }, close: () => db.close() };
    },
    openStore: (place) => openStore({ stateDir: dirs(place).state }),
    dispose: (place) => rm(place.where, { recursive: true, force: true }),
    teardown: async () => undefined,
  };
}

/** Databases `<stamp>_<name>_db` and `_state` on the server of `adminUrl`, dropped by `dispose`. */
export function postgresBackend(adminUrl: string): CrashBackend {
  const stamp = `ma_crash_${process.pid}_${Date.now().toString(36)}`;
  const dbTemplate = `${stamp}_template_db`;
  const stateTemplate = `${stamp}_template_state`;
  const urlOf = (database: string) => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    return url.toString();
  };
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const names = (place: Place) => place.where.split(" ") as [string, string];
  const drop = (database: string) => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  return {
    name: "PostgreSQL",
    async setup(scripts, initState) {
      await admin(`CREATE DATABASE ${dbTemplate}`);
      const client = new pg.Client({ connectionString: urlOf(dbTemplate) });
      await client.connect();
      try {
        for (const script of scripts) await client.query(script);
      } finally {
        await client.end();
      }
      await admin(`CREATE DATABASE ${stateTemplate}`);
      await initState({
        where: `${dbTemplate} ${stateTemplate}`,
        dbUrl: "pglite:memory",
        args: [],
        env: { MA_STATE_URL: urlOf(stateTemplate) },
      });
    },
    async place(name, warm) {
      const db = `${stamp}_${name.replace(/[^a-z0-9_]/gi, "_")}_db`;
      const state = `${stamp}_${name.replace(/[^a-z0-9_]/gi, "_")}_state`;
      await admin(`CREATE DATABASE ${db} TEMPLATE ${dbTemplate}`);
      await admin(`CREATE DATABASE ${state}${warm ? ` TEMPLATE ${stateTemplate}` : ""}`);
      return { where: `${db} ${state}`, dbUrl: urlOf(db), args: [], env: { MA_STATE_URL: urlOf(state) } };
    },
    async openDb(place) {
      const client = nodePgClient(urlOf(names(place)[0]), { max: 1 });
      return { client, lockScope: { kind: "memory" }, close: () => client.close() };
    },
    openStore: (place) => openStore({ url: urlOf(names(place)[1]) }),
    async dispose(place) {
      for (const database of names(place)) await drop(database);
    },
    async teardown() {
      await drop(dbTemplate);
      await drop(stateTemplate);
    },
  };
}
