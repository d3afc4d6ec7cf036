import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { StepContext } from "../types.js";
import { connectPostgres, type PgConnection, pgConnection } from "./connection.js";
import { pgliteClient } from "./pglite-client.js";

/**
 * The databases the contract suites run against (STYLE.md 14): PGlite in memory, always, and a
 * PostgreSQL server when TEST_DATABASE_URL is set. Each test gets a fresh database holding the
 * fixture schema (evals/fixtures/app/app-schema.sql, a copy of the shared one) and a few rows of every table.
 * Test-only: not part of the build.
 */
export interface Backend {
  name: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A fresh database: the fixture's schema and the few rows of SMALL_SEED. */
  fresh(): Promise<Fresh>;
  /** A fresh, empty database. */
  empty(): Promise<Fresh>;
  /**
   * A fresh database holding the pagila fixture (partitions, views, domains, an enum, triggers)
   * and its seed; the template is made the first time (it takes seconds) and kept until teardown.
   */
  pagila(): Promise<Fresh>;
}

export interface Fresh {
  connection: PgConnection;
  /** The connection reference that reaches this database again (PostgreSQL only). */
  url?: string;
  close(): Promise<void>;
}

/** The workplace's shared folder (the public eval cases): `../shared` beside the checkout, else /work/shared. */
export const SHARED =
  [join(import.meta.dirname, "..", "..", "..", "..", "shared"), "/work/shared"].find((dir) =>
    existsSync(dir),
  ) ?? "/work/shared";
/** The SQL fixtures, the project's copy of the shared ones (the eval suites use them too). */
const FIXTURES_ROOT = join(import.meta.dirname, "..", "..", "..", "evals", "fixtures");
export const FIXTURES = join(FIXTURES_ROOT, "app");
export const APP_SCHEMA = readFileSync(`${FIXTURES}/app-schema.sql`, "utf8");
export const APP_SEED = readFileSync(`${FIXTURES}/app-seed.sql`, "utf8");
const PAGILA = join(FIXTURES_ROOT, "pagila");
/** The pagila schema and seed, read when first needed. */
export const pagilaScripts = () => [
  readFileSync(join(PAGILA, "pagila-schema-core.sql"), "utf8"),
  readFileSync(join(PAGILA, "pagila-seed.sql"), "utf8"),
];

/** The fixture's seed, in miniature: 30 users, 10 products, 40 orders, 80 items, 30 payments. */
export const SMALL_SEED = `
INSERT INTO users (email, full_name, phone, created_at)
SELECT 'user' || g || '@example.com', 'User ' || g,
       CASE WHEN g % 3 = 0 THEN NULL ELSE '+1-555-' || lpad(g::text, 7, '0') END,
       TIMESTAMPTZ '2024-01-01 00:00:00+00' + g * interval '1 hour'
FROM generate_series(1, 30) g;
INSERT INTO products (sku, title, price_cents)
SELECT 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g, 100 + (g * 37) % 9900 FROM generate_series(1, 10) g;
INSERT INTO orders (user_id, status, total_cents, created_at)
SELECT 1 + (g * 7) % 30, (ARRAY['pending','paid','shipped','cancelled'])[1 + g % 4], 0,
       TIMESTAMPTZ '2024-06-01 00:00:00+00' + g * interval '10 minutes'
FROM generate_series(1, 40) g;
INSERT INTO order_items (order_id, product_id, quantity, price_cents)
SELECT o, 1 + ((o * 13 + k * 3) % 10), 1 + (o + k) % 3, 100 + o * 7 FROM generate_series(1, 40) o, generate_series(0, 1) k;
UPDATE orders o SET total_cents = s.total FROM (
  SELECT order_id, sum(quantity * price_cents) AS total FROM order_items GROUP BY order_id) s
WHERE s.order_id = o.id;
INSERT INTO payments (order_id, amount_cents, card_last4, paid_at)
SELECT id, total_cents, lpad((id % 10000)::text, 4, '0'), created_at + interval '5 minutes' FROM orders WHERE id <= 30;
`;

/** PGlite: one template database per test file, cloned for every test. */
export function pgliteBackend(): Backend {
  let template: PGlite | undefined;
  let pagilaTemplate: Promise<PGlite> | undefined;
  return {
    name: "PGlite",
    async setup() {
      template = await PGlite.create();
      await template.exec(APP_SCHEMA);
      await template.exec(SMALL_SEED);
    },
    async teardown() {
      await template?.close();
      await (await pagilaTemplate)?.close();
    },
    async fresh() {
      if (!template) throw new Error("setup() first");
      const client = pgliteClient((await template.clone()) as PGlite);
      return {
        connection: pgConnection(client, "pglite:memory", { kind: "memory" }),
        close: () => client.close(),
      };
    },
    async empty() {
      const client = pgliteClient(await PGlite.create());
      return {
        connection: pgConnection(client, "pglite:memory", { kind: "memory" }),
        close: () => client.close(),
      };
    },
    async pagila() {
      pagilaTemplate ??= (async () => {
        const db = await PGlite.create();
        for (const script of pagilaScripts()) await db.exec(script);
        return db;
      })();
      const client = pgliteClient((await (await pagilaTemplate).clone()) as PGlite);
      return {
        connection: pgConnection(client, "pglite:memory", { kind: "memory" }),
        close: () => client.close(),
      };
    },
  };
}

/**
 * PostgreSQL: a template database per test file (created in setup, dropped in teardown), copied
 * with CREATE DATABASE … TEMPLATE for every test and dropped after it.
 */
export function postgresBackend(baseUrl: string): Backend {
  const stamp = `${process.pid}_${Date.now().toString(36)}`;
  const templateName = `ma_test_${stamp}`;
  const pagilaName = `${templateName}_pagila`;
  let pagilaMade: Promise<void> | undefined;
  let count = 0;
  const urlOf = (database: string) => {
    const url = new URL(baseUrl);
    url.pathname = `/${database}`;
    return url.toString();
  };
  const admin = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: "PostgreSQL",
    async setup() {
      await admin((c) => c.query(`CREATE DATABASE ${templateName}`));
      const client = new pg.Client({ connectionString: urlOf(templateName) });
      await client.connect();
      try {
        await client.query(APP_SCHEMA);
        await client.query(SMALL_SEED);
      } finally {
        await client.end();
      }
    },
    async teardown() {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${templateName} WITH (FORCE)`));
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${pagilaName} WITH (FORCE)`));
    },
    fresh: () => copy(templateName),
    empty: () => copy("template0"),
    async pagila() {
      pagilaMade ??= (async () => {
        await admin((c) => c.query(`CREATE DATABASE ${pagilaName}`));
        const client = new pg.Client({ connectionString: urlOf(pagilaName) });
        await client.connect();
        try {
          for (const script of pagilaScripts()) await client.query(script);
        } finally {
          await client.end();
        }
      })();
      await pagilaMade;
      return copy(pagilaName);
    },
  };

  async function copy(template: string): Promise<Fresh> {
    const name = `${templateName}_${++count}`;
    await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
    const url = urlOf(name);
    const connected = await connectPostgres(
      { id: "app-db", kind: "postgres", connection: "env:CASE_DATABASE_URL" },
      { CASE_DATABASE_URL: url },
    );
    return {
      connection: connected.connection,
      url,
      close: async () => {
        await connected.close();
        await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      },
    };
  }
}

/** A StepContext for tests: its log lines are kept in `logs`. */
export function stepContext(logs: string[] = []): StepContext {
  return {
    runId: "run-test",
    stepId: "step-test",
    signal: new AbortController().signal,
    log: (message) => logs.push(message),
    progress: { get: () => undefined, set: async () => undefined },
  };
}
