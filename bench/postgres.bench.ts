/**
 * The zero-downtime proof under load (`npm run bench:postgres`, part of `npm run bench`; issue 4):
 * on a real PostgreSQL server, a table of 1,000,000 rows (`accounts`), and a load generator on its
 * own connections (200 statements/s: 70 % reads by key, 15 % one-row updates, 15 % inserts,
 * `traffic.ts`) running throughout. Side by side, in one run, each on a fresh copy of the table
 * (CREATE DATABASE … TEMPLATE):
 *
 * - backfill: `postgres.backfill` of a new column vs one `UPDATE` of every row (the limit), rows/s;
 * - each expand/contract action vs the naive DDL that does the same (ALTER COLUMN TYPE, CREATE
 *   INDEX without CONCURRENTLY, SET NOT NULL, RENAME COLUMN): the traffic's failed statements,
 *   p99 and max latency while it runs, against the p99 of the 3 s before it (the baseline);
 * - the write cost of rename_column's two-way sync trigger: inserts per second with it and without
 *   it (one-row statements, and one bulk INSERT … SELECT where the trigger's own cost shows).
 *
 * Figures are measured, never estimated; written to bench/results/postgres.json with the machine's
 * description. The server: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test; skipped with a line saying so when unreachable.
 * BENCH_ROWS changes the table's size (for a quick try: BENCH_ROWS=100000).
 */

import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { postgresActions } from "../src/adapters/postgres/adapter.js";
import { connectPostgres, type PgConnection } from "../src/adapters/postgres/connection.js";
import type { StepContext } from "../src/adapters/types.js";
import { median } from "./median.js";
import { Traffic, type TrafficFigures } from "./traffic.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = path.join(ROOT, "bench", "results");
const ADMIN =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RATE = 200;
const BASELINE_MS = 3_000;
const TAIL_MS = 1_000;
const INSERTS = 5_000;
const GOALS = { backfill_vs_update: 0.7, p99_vs_baseline: 2, sync_trigger_overhead: 2 };

const stamp = `ma_bench_pg_${process.pid}_${Date.now().toString(36)}`;
const TEMPLATE = `${stamp}_template`;

function urlOf(database: string): string {
  const url = new URL(ADMIN);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The admin URL with its password hidden, for the results. */
function safe(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "****";
  return u.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function onDb<T>(database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlOf(database) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const SCHEMA = `
CREATE TABLE accounts (
  id         bigserial PRIMARY KEY,
  email      text NOT NULL,
  balance    integer NOT NULL DEFAULT 0,
  status     text NOT NULL,
  note       text,
  created_at timestamptz NOT NULL DEFAULT now()
);`;

async function makeTemplate(): Promise<void> {
  await admin(`CREATE DATABASE ${TEMPLATE}`);
  await onDb(TEMPLATE, async (c) => {
    await c.query(SCHEMA);
    await c.query(
      `INSERT INTO accounts (email, balance, status, note, created_at)
       SELECT 'user' || g || '@example.com', (g * 37) % 100000,
              (ARRAY['active','active','active','closed'])[1 + g % 4], 'n' || g,
              TIMESTAMPTZ '2024-01-01' + g * interval '1 second'
         FROM generate_series(1, $1::int) g`,
      [ROWS],
    );
    await c.query("VACUUM ANALYZE accounts");
  });
}

/** A fresh copy of the template, its URL and a way to drop it. */
async function freshDb(name: string): Promise<{ database: string; url: string; drop(): Promise<void> }> {
  const database = `${stamp}_${name.replace(/[^a-z0-9_]/g, "_")}`;
  await admin(`CREATE DATABASE ${database} TEMPLATE ${TEMPLATE}`);
  return {
    database,
    url: urlOf(database),
    drop: () => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  };
}

async function connect(url: string): Promise<{ connection: PgConnection; close(): Promise<void> }> {
  const connected = await connectPostgres(
    { id: "bench-db", kind: "postgres", connection: "env:BENCH_TARGET" },
    { BENCH_TARGET: url },
  );
  return { connection: connected.connection, close: () => connected.close() };
}

function context(logs: string[]): StepContext {
  let progress: Record<string, unknown> | undefined;
  return {
    runId: "bench",
    stepId: "bench",
    signal: new AbortController().signal,
    log: (m) => logs.push(m),
    progress: {
      get: () => progress,
      set: async (v) => {
        progress = v;
      },
    },
  };
}

async function applyAction(connection: PgConnection, name: string, params: Record<string, unknown>) {
  const action = postgresActions.find((a) => a.name === name);
  if (!action) throw new Error(`this build has no ${name}`);
  const parsed = action.params.parse(params);
  const logs: string[] = [];
  const outcome = await action.apply(connection, parsed, context(logs));
  if (!(await action.verify(connection, parsed))) throw new Error(`${name}: verify failed after apply`);
  return { outcome, logs };
}

// ------------------------------------------------------------------------------- one migration

interface Migration {
  name: string;
  /** What the step does, for the table. */
  label: string;
  /** Untimed preparation on the fresh copy (e.g. the new column a backfill fills). */
  prepare?: (connection: PgConnection, client: pg.Client) => Promise<void>;
  run: (connection: PgConnection, client: pg.Client) => Promise<Record<string, unknown>>;
}

interface Measured {
  migration: string;
  label: string;
  duration_ms: number;
  baseline: TrafficFigures;
  during: TrafficFigures;
  p99_vs_baseline: number;
  figures: Record<string, unknown>;
  error?: string;
}

async function measure(m: Migration): Promise<Measured> {
  const db = await freshDb(m.name);
  const { connection, close } = await connect(db.url);
  const client = new pg.Client({ connectionString: db.url, application_name: "ma-bench-naive" });
  await client.connect();
  const traffic = new Traffic({ url: db.url, rate: RATE, maxId: ROWS, connections: 8 });
  try {
    await m.prepare?.(connection, client);
    traffic.start();
    await sleep(BASELINE_MS);
    const from = traffic.now();
    const t0 = performance.now();
    let figures: Record<string, unknown> = {};
    let error: string | undefined;
    try {
      figures = await m.run(connection, client);
    } catch (e) {
      error = (e as Error).message;
    }
    const duration = performance.now() - t0;
    const to = traffic.now();
    await sleep(TAIL_MS);
    await traffic.stop();
    const baseline = traffic.window(0, from);
    const during = traffic.window(from, to);
    const result: Measured = {
      migration: m.name,
      label: m.label,
      duration_ms: Math.round(duration),
      baseline,
      during,
      p99_vs_baseline: Math.round((during.p99_ms / Math.max(0.1, baseline.p99_ms)) * 100) / 100,
      figures,
      ...(error ? { error } : {}),
    };
    console.log(
      `  ${m.name.padEnd(28)} ${String(result.duration_ms).padStart(7)} ms  traffic: ${during.statements} statements, ` +
        `${during.failed} failed, p99 ${during.p99_ms} ms (baseline ${baseline.p99_ms}), max ${during.max_ms} ms${error ? `  ERROR ${error}` : ""}`,
    );
    return result;
  } finally {
    await client.end().catch(() => undefined);
    await close().catch(() => undefined);
    await db.drop();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const addScore = async (_c: PgConnection, client: pg.Client) => {
  await client.query("ALTER TABLE accounts ADD COLUMN score integer");
};

const MIGRATIONS: Migration[] = [
  {
    name: "backfill.ours",
    label: "postgres.backfill of a new column (score = balance % 100)",
    prepare: addScore,
    run: async (c) =>
      (await applyAction(c, "postgres.backfill", { table: "accounts", set: { score: "balance % 100" } }))
        .outcome.figures ?? {},
  },
  {
    name: "backfill.naive",
    label: "UPDATE accounts SET score = balance % 100 (one statement)",
    prepare: addScore,
    run: async (_c, client) => {
      const r = await client.query("UPDATE accounts SET score = balance % 100");
      return { rows: r.rowCount ?? 0 };
    },
  },
  {
    name: "alter_column_type.ours",
    label: "postgres.alter_column_type balance integer → bigint (expand, then contract)",
    run: async (c) => {
      const p = { table: "accounts", column: "balance", type: "bigint" };
      const expand = await applyAction(c, "postgres.alter_column_type", { ...p, stage: "expand" });
      const contract = await applyAction(c, "postgres.alter_column_type", { ...p, stage: "contract" });
      return { expand: expand.outcome.figures ?? {}, contract: contract.outcome.figures ?? {} };
    },
  },
  {
    name: "alter_column_type.naive",
    label: "ALTER TABLE accounts ALTER COLUMN balance TYPE bigint",
    run: async (_c, client) => {
      await client.query("ALTER TABLE accounts ALTER COLUMN balance TYPE bigint");
      return {};
    },
  },
  {
    name: "create_index.ours",
    label: "postgres.create_index on (status, created_at) (CONCURRENTLY)",
    run: async (c) =>
      (
        await applyAction(c, "postgres.create_index", {
          table: "accounts",
          columns: ["status", "created_at"],
        })
      ).outcome.figures ?? {},
  },
  {
    name: "create_index.naive",
    label: "CREATE INDEX ON accounts (status, created_at)",
    run: async (_c, client) => {
      await client.query("CREATE INDEX accounts_status_created_naive ON accounts (status, created_at)");
      return {};
    },
  },
  {
    name: "set_not_null.ours",
    label: "postgres.set_not_null accounts.note (CHECK NOT VALID, VALIDATE, SET NOT NULL)",
    run: async (c) =>
      (await applyAction(c, "postgres.set_not_null", { table: "accounts", column: "note" })).outcome
        .figures ?? {},
  },
  {
    name: "set_not_null.naive",
    label: "ALTER TABLE accounts ALTER COLUMN note SET NOT NULL",
    run: async (_c, client) => {
      await client.query("ALTER TABLE accounts ALTER COLUMN note SET NOT NULL");
      return {};
    },
  },
  {
    name: "rename_column.ours",
    label: "postgres.rename_column created_at → opened_at (expand, then contract)",
    run: async (c) => {
      const p = { table: "accounts", from: "created_at", to: "opened_at" };
      const expand = await applyAction(c, "postgres.rename_column", { ...p, stage: "expand" });
      const contract = await applyAction(c, "postgres.rename_column", { ...p, stage: "contract" });
      return { expand: expand.outcome.figures ?? {}, contract: contract.outcome.figures ?? {} };
    },
  },
  {
    name: "rename_column.naive",
    label: "ALTER TABLE accounts RENAME COLUMN created_at TO opened_at",
    run: async (_c, client) => {
      await client.query("ALTER TABLE accounts RENAME COLUMN created_at TO opened_at");
      return {};
    },
  },
];

// --------------------------------------------------------------------- the sync trigger's cost

interface InsertFigures {
  /** One-row INSERT statements per second on one connection (what an application sees). */
  per_second: number;
  /** Rows per second of one INSERT … SELECT of BULK_ROWS rows (the trigger's own cost, no round trips). */
  bulk_rows_per_second: number;
}

const BULK_ROWS = 50_000;
const ROUNDS = 3;

/**
 * Inserts into two copies of the table, one with rename_column's expand done (the two-way sync
 * trigger in place) and one without, in alternating rounds so that both see the same machine;
 * medians of ROUNDS rounds.
 */
async function insertRates(): Promise<{ without: InsertFigures; with: InsertFigures; rounds: number }> {
  const plain = await freshDb("sync_without");
  const synced = await freshDb("sync_with");
  const { connection, close } = await connect(synced.url);
  try {
    await applyAction(connection, "postgres.rename_column", {
      table: "accounts",
      from: "created_at",
      to: "opened_at",
      stage: "expand",
    });
    const runs: Record<"without" | "with", { one: number[]; bulk: number[] }> = {
      without: { one: [], bulk: [] },
      with: { one: [], bulk: [] },
    };
    const statement = "INSERT INTO accounts (email, balance, status, note) VALUES ($1, 1, 'new', 'x')";
    for (let round = 0; round < ROUNDS; round++) {
      for (const [kind, db] of [
        ["without", plain],
        ["with", synced],
      ] as const) {
        await onDb(db.database, async (c) => {
          for (let i = 0; i < 100; i++) await c.query(statement, [`warm${round}-${i}@example.com`]);
          let t0 = performance.now();
          for (let i = 0; i < INSERTS; i++) await c.query(statement, [`ins${round}-${i}@example.com`]);
          runs[kind].one.push((INSERTS / (performance.now() - t0)) * 1000);
          t0 = performance.now();
          await c.query(
            `INSERT INTO accounts (email, balance, status, note)
             SELECT 'bulk${round}-' || g || '@example.com', g, 'new', 'x' FROM generate_series(1, $1::int) g`,
            [BULK_ROWS],
          );
          runs[kind].bulk.push((BULK_ROWS / (performance.now() - t0)) * 1000);
        });
      }
    }
    const med = (xs: number[]) => Math.round(median(xs));
    const figures = (k: "without" | "with") => ({
      per_second: med(runs[k].one),
      bulk_rows_per_second: med(runs[k].bulk),
    });
    return { without: figures("without"), with: figures("with"), rounds: ROUNDS };
  } finally {
    await close();
    await plain.drop();
    await synced.drop();
  }
}

// ------------------------------------------------------------------------------------- main

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  if (!(await reachable())) {
    console.log(
      `PostgreSQL benchmark skipped: no server at ${safe(ADMIN)} (set BENCH_DATABASE_URL or TEST_DATABASE_URL)`,
    );
    return;
  }
  const started = new Date();
  const load = os.loadavg();
  console.log(`PostgreSQL benchmark: ${ROWS.toLocaleString("en-US")} rows, traffic ${RATE} statements/s`);
  const t0 = performance.now();
  await makeTemplate();
  console.log(`  template made in ${Math.round(performance.now() - t0)} ms`);
  const results: Measured[] = [];
  let sync: Awaited<ReturnType<typeof insertRates>> | undefined;
  let serverVersion = "";
  try {
    serverVersion = await onDb(
      TEMPLATE,
      async (c) => (await c.query("SHOW server_version")).rows[0].server_version,
    );
    for (const m of MIGRATIONS) results.push(await measure(m));
    sync = await insertRates();
    console.log(
      `  sync trigger: one-row inserts ${sync.without.per_second}/s without, ${sync.with.per_second}/s with; ` +
        `bulk ${sync.without.bulk_rows_per_second} rows/s without, ${sync.with.bulk_rows_per_second} with`,
    );
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  }

  const by = (name: string) => results.find((r) => r.migration === name);
  const rowsPerSecond = (r: Measured | undefined) =>
    r && !r.error ? Math.round((ROWS / r.duration_ms) * 1000) : null;
  const backfillOurs = rowsPerSecond(by("backfill.ours"));
  const backfillNaive = rowsPerSecond(by("backfill.naive"));
  const backfillRatio =
    backfillOurs !== null && backfillNaive ? Math.round((backfillOurs / backfillNaive) * 1000) / 1000 : null;
  const ours = results.filter((r) => r.migration.endsWith(".ours"));
  const oursMet = ours.map((r) => ({
    migration: r.migration,
    failed: r.during.failed,
    p99_vs_baseline: r.p99_vs_baseline,
    met: !r.error && r.during.failed === 0 && r.p99_vs_baseline <= GOALS.p99_vs_baseline,
  }));
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const syncRatio = sync ? ratio(sync.without.per_second, sync.with.per_second) : null;
  const syncBulkRatio = sync
    ? ratio(sync.without.bulk_rows_per_second, sync.with.bulk_rows_per_second)
    : null;
  const summary = {
    backfill: {
      ours_rows_per_s: backfillOurs,
      single_update_rows_per_s: backfillNaive,
      ratio: backfillRatio,
      goal: GOALS.backfill_vs_update,
      met: backfillRatio !== null && backfillRatio >= GOALS.backfill_vs_update,
    },
    traffic: { goal: "0 failed statements and p99 ≤ 2× the baseline p99", ours: oursMet },
    sync_trigger: {
      one_row_without_per_s: sync?.without.per_second ?? null,
      one_row_with_per_s: sync?.with.per_second ?? null,
      one_row_slowdown: syncRatio,
      bulk_without_rows_per_s: sync?.without.bulk_rows_per_second ?? null,
      bulk_with_rows_per_s: sync?.with.bulk_rows_per_second ?? null,
      bulk_slowdown: syncBulkRatio,
      goal: GOALS.sync_trigger_overhead,
      met:
        syncRatio !== null &&
        syncBulkRatio !== null &&
        Math.max(syncRatio, syncBulkRatio) <= GOALS.sync_trigger_overhead,
    },
  };
  const out = {
    benchmark: "postgres",
    date: started.toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu_count: os.cpus().length,
    load_average: { start: load, end: os.loadavg() },
    server: { url: safe(ADMIN), version: serverVersion },
    rows: ROWS,
    traffic: { rate_per_s: RATE, mix: "70% reads by key, 15% one-row updates, 15% inserts", connections: 8 },
    method: {
      baseline: `the traffic's statements started in the ${BASELINE_MS} ms before the migration`,
      during: "the traffic's statements started while the migration ran",
      copies: "each migration on a fresh CREATE DATABASE … TEMPLATE copy of the table",
      sync: `two copies, one after rename_column's expand (the sync trigger in place); ${ROUNDS} alternating rounds of ${INSERTS} one-row inserts on one connection (after 100 warm-up) and one INSERT … SELECT of ${BULK_ROWS} rows; medians`,
    },
    summary,
    migrations: results,
    sync_trigger: sync,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, "postgres.json"), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\n${table(results)}`);
  console.log(
    `\nbackfill: ${backfillOurs} rows/s vs ${backfillNaive} for one UPDATE (${backfillRatio}; goal ≥ ${GOALS.backfill_vs_update}: ${summary.backfill.met ? "met" : "NOT met"})`,
  );
  console.log(
    `sync trigger: one-row inserts ${syncRatio}× slower, bulk ${syncBulkRatio}× (goal ≤ ${GOALS.sync_trigger_overhead}×: ${summary.sync_trigger.met ? "met" : "NOT met"})`,
  );
  console.log("written to bench/results/postgres.json");
}

function table(rows: Measured[]): string {
  const head = [
    "migration",
    "duration ms",
    "statements",
    "failed",
    "p99 ms",
    "baseline p99",
    "max ms",
    "p99 ×",
  ];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const r of rows) {
    lines.push(
      `| ${r.migration}${r.error ? " (error)" : ""} | ${r.duration_ms} | ${r.during.statements} | ${r.during.failed} | ${r.during.p99_ms} | ${r.baseline.p99_ms} | ${r.during.max_ms} | ${r.p99_vs_baseline} |`,
    );
  }
  return lines.join("\n");
}

await main();
