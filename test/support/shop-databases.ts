import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { SMALL_SEED } from "../../src/adapters/postgres/backends.contract.js";
import { connectPostgres, type PgConnection, snapshotPostgres } from "../../src/adapters/postgres/index.js";
import type { Snapshot } from "../../src/adapters/types.js";

/**
 * Shop databases (evals/fixtures/app/app-schema.sql, the demo's too, and the contract suites' SMALL_SEED) for tests that drive
 * the executor or the CLI against the real postgres adapter: on PGlite (a data directory copied
 * from a template for every database) and on a PostgreSQL server (`CREATE DATABASE … TEMPLATE`
 * from the admin URL of TEST_DATABASE_URL). Everything made is removed by `teardown`.
 */

const ROOT = join(import.meta.dirname, "..", "..");
export const SHOP_SCHEMA = readFileSync(join(ROOT, "evals", "fixtures", "app", "app-schema.sql"), "utf8");

/** One shop database, fresh from the template. */
export interface ShopDatabase {
  /** The connection reference a blueprint's `env:` variable holds: `pglite:PATH` or `postgres://…`. */
  reference: string;
  /** PGlite: the data directory (its lock file is `<path>.lock`). */
  path?: string;
  /**
   * A connection of the test's own, through the adapter's `connect` (on PGlite, the instance of
   * this process is shared with the executor, as the adapter shares it with every user).
   */
  open(): Promise<OpenShop>;
}

export interface OpenShop {
  connection: PgConnection;
  snapshot(): Promise<Snapshot>;
  query<R = Record<string, unknown>>(sql: string): Promise<R[]>;
  close(): Promise<void>;
}

export interface ShopDatabases {
  name: "PGlite" | "PostgreSQL";
  setup(): Promise<void>;
  teardown(): Promise<void>;
  fresh(): Promise<ShopDatabase>;
}

function shopAt(reference: string, path?: string): ShopDatabase {
  return {
    reference,
    path,
    async open() {
      const connected = await connectPostgres({ id: "shop-db", kind: "postgres", connection: reference }, {});
      const connection = connected.connection;
      return {
        connection,
        snapshot: () => snapshotPostgres(connection, "shop-db"),
        query: async <R>(sql: string) => (await connection.client.query<R>(sql)).rows,
        close: () => connected.close(),
      };
    },
  };
}

/** PGlite: a template data directory made once (initdb is slow), copied for every database. */
export function pgliteShops(): ShopDatabases {
  const root = mkdtempSync(join(tmpdir(), "ma-shops-"));
  const template = join(root, "template");
  let count = 0;
  return {
    name: "PGlite",
    async setup() {
      const db = await PGlite.create(template);
      try {
        await db.exec(SHOP_SCHEMA);
        await db.exec(SMALL_SEED);
      } finally {
        await db.close();
      }
    },
    async teardown() {
      rmSync(root, { recursive: true, force: true });
    },
    async fresh() {
      const path = join(root, `shop-${++count}`);
      cpSync(template, path, { recursive: true });
      return shopAt(`pglite:${path}`, path);
    },
  };
}

/**
 * PostgreSQL: a template database for the test file, created from the admin URL; every fresh
 * database is a copy of it. `database()` makes an empty one (for a store). All are dropped by
 * `teardown`, roles made with `role()` too.
 */
export function postgresShops(adminUrl: string): ShopDatabases & {
  database(owner?: string): Promise<string>;
  role(password: string): Promise<string>;
} {
  const stamp = `ma_exec_${process.pid}_${Date.now().toString(36)}`;
  const template = `${stamp}_template`;
  const databases: string[] = [];
  const roles: string[] = [];
  let count = 0;
  const urlOf = (database: string) => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    return url.toString();
  };
  const admin = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  const create = async (sql: string, name: string) => {
    databases.push(name);
    await admin((c) => c.query(sql));
    return urlOf(name);
  };
  return {
    name: "PostgreSQL",
    async setup() {
      await create(`CREATE DATABASE ${template}`, template);
      const client = new pg.Client({ connectionString: urlOf(template) });
      await client.connect();
      try {
        await client.query(SHOP_SCHEMA);
        await client.query(SMALL_SEED);
      } finally {
        await client.end();
      }
    },
    async teardown() {
      await admin(async (c) => {
        for (const name of databases.reverse()) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        for (const role of roles) await c.query(`DROP ROLE IF EXISTS ${role}`);
      });
    },
    async fresh() {
      const name = `${stamp}_${++count}`;
      return shopAt(await create(`CREATE DATABASE ${name} TEMPLATE ${template}`, name));
    },
    async database(owner?: string) {
      const name = `${stamp}_${++count}`;
      return create(`CREATE DATABASE ${name}${owner ? ` OWNER ${owner}` : ""}`, name);
    },
    /** A login role with this password (the password is ASCII letters, digits and dashes). */
    async role(password: string) {
      const name = `${stamp}_role${roles.length + 1}`;
      roles.push(name);
      await admin((c) => c.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`));
      return name;
    },
  };
}
