import { randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMALL_SEED } from "../src/adapters/postgres/backends.contract.js";
import { adapters } from "../src/adapters/registry.js";
import type { Snapshot } from "../src/adapters/types.js";
import type { Blueprint } from "../src/core/blueprint/schema.js";
import type { ExecutorDeps } from "../src/executor/deps.js";
import { createRun, executeRun } from "../src/executor/executor.js";
import { openStore } from "../src/store/open.js";
import { PGLITE_DATA_DIR } from "../src/store/pglite.js";
import type { Store } from "../src/store/types.js";
import { type CliOutcome, runCliProcess, startCli } from "./support/cli-process.js";
import {
  boomId,
  type Injection,
  PHASE_STEPS,
  PHASES,
  RISKY_STEPS,
  shopAction,
  shopBlueprint,
  shopCheck,
  shopMigration,
  shopSql,
} from "./support/shop-blueprints.js";
import {
  type OpenShop,
  pgliteShops,
  postgresShops,
  SHOP_SCHEMA,
  type ShopDatabases,
} from "./support/shop-databases.js";

/**
 * The executor on the real postgres adapter and the real store: rollback scopes and restored
 * checksums, one run per component across processes, and no password anywhere. Every test runs
 * on PGlite, and on PostgreSQL when TEST_DATABASE_URL is set (a database per test, copied from a
 * template made for this file from the admin URL, all dropped at the end).
 */

const url = process.env.TEST_DATABASE_URL;
if (!url) console.log("executor integration tests on PostgreSQL skipped: TEST_DATABASE_URL is not set");

/** What one backend gives the tests. */
interface Setting {
  shops: ShopDatabases;
  /** The store of the in-process tests: PGlite in memory, or PostgreSQL on a fresh database. */
  store(): Promise<Store>;
  /** PostgreSQL only: a fresh, empty database for MA_STATE_URL, so that two processes share runs. */
  stateUrl?(): Promise<string>;
  server?: ReturnType<typeof postgresShops>;
}

type Shape = Pick<Snapshot, "fingerprint" | "checksums">;
const shape = (s: Snapshot): Shape => ({ fingerprint: s.fingerprint, checksums: s.checksums });

/**
 * The store as the executor gets it, except that whenever the executor records a checkpoint,
 * the test first takes its own snapshot of the database through its own connection: the state
 * a later rollback to that checkpoint must restore, measured independently of the executor.
 */
function photographing(store: Store, photograph: (checkpointId: string) => Promise<void>): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === "saveCheckpoint") {
        return async (checkpoint: Parameters<Store["saveCheckpoint"]>[0]) => {
          await photograph(checkpoint.checkpoint_id);
          return target.saveCheckpoint(checkpoint);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Landmarks of the migration in the database, read with plain catalog queries. */
async function landmarks(db: OpenShop) {
  const columns = await db.query<{ c: string }>(
    `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
      WHERE table_schema = 'public' AND (table_name, column_name) IN
            (('users', 'email_verified'), ('orders', 'shipped_at'), ('users', 'phone'))
      ORDER BY 1`,
  );
  const relations = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relname IN ('users_email_verified_idx', 'shipments') ORDER BY 1`,
  );
  const names = columns.map((r) => r.c);
  const count = async (sql: string) => Number((await db.query<{ n: number }>(sql))[0]?.n);
  return {
    columns: names,
    relations: relations.map((r) => r.name),
    phones: names.includes("users.phone")
      ? await count("SELECT count(phone)::int AS n FROM users")
      : undefined,
    verified: names.includes("users.email_verified")
      ? await count("SELECT count(email_verified)::int AS n FROM users")
      : undefined,
  };
}

/** The landmarks once the first `applied` phases of the shop migration are in place. */
function landmarksAfter(applied: number) {
  const columns = [
    ...(applied >= 1 ? ["orders.shipped_at", "users.email_verified"] : []),
    ...(applied < 3 ? ["users.phone"] : []),
  ].sort();
  return {
    columns,
    relations: [
      ...(applied >= 4 ? ["shipments"] : []),
      ...(applied >= 3 ? ["users_email_verified_idx"] : []),
    ],
    // 30 users, every third without a phone; the backfill sets every email_verified
    phones: applied < 3 ? 20 : undefined,
    verified: applied >= 1 ? (applied >= 2 ? 30 : 0) : undefined,
  };
}

function writeBlueprint(dir: string, name: string, blueprint: Blueprint): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ blueprint }, null, 2));
  return file;
}

const show = (o: CliOutcome) =>
  `${o.argv.join(" ")} → exit ${o.code}\n--- stdout\n${o.stdout}\n--- stderr\n${o.stderr}`;

/** Every file under `dir`, read as bytes: a secret must not be anywhere in what a run leaves. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/** Every row of every table of a database (the store's), as JSON text. */
async function dumpRows(query: (sql: string) => Promise<Record<string, unknown>[]>): Promise<string> {
  const tables = await query(
    `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const out: string[] = [];
  for (const { s, t } of tables as { s: string; t: string }[]) {
    const rows = await query(`SELECT row_to_json(x)::text AS j FROM "${s}"."${t}" AS x`);
    out.push(`${s}.${t}: ${rows.length} rows`, ...rows.map((r) => String(r.j)));
  }
  return out.join("\n");
}

async function dumpPgliteStore(stateDir: string): Promise<string> {
  const db = await PGlite.create(join(stateDir, PGLITE_DATA_DIR));
  try {
    return await dumpRows(async (sql) => (await db.query<Record<string, unknown>>(sql)).rows);
  } finally {
    await db.close();
  }
}

async function dumpPostgresStore(stateUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: stateUrl });
  await client.connect();
  try {
    return await dumpRows(async (sql) => (await client.query(sql)).rows);
  } finally {
    await client.end();
  }
}

function executorOnPostgres(backend: ShopDatabases["name"], setting: () => Setting): void {
  describe("an injected failure in each phase of a 4-phase blueprint triggers the right rollback scope (phase vs everything) and restores equal checksums", () => {
    let store: Store;
    let began = 0;
    beforeAll(async () => {
      began = performance.now();
      store = await setting().store();
    });
    afterAll(async () => {
      await store?.close();
      console.log(
        `${setting().shops.name}: 12 injected failures on the 4-phase shop migration in ${Math.round(performance.now() - began)}ms`,
      );
    });

    const variants: Injection[] = PHASES.flatMap((phase) =>
      (["step", "intra", "post"] as const).map((kind) => ({ phase, kind })),
    );

    it.each(variants)("a failing $kind in phase $phase", async (injection) => {
      const db = await setting().shops.fresh();
      const own = await db.open();
      try {
        const source = shape(await own.snapshot());
        const photos = new Map<string, Shape>();
        const deps: ExecutorDeps = {
          store: photographing(store, async (id) => {
            photos.set(id, shape(await own.snapshot()));
          }),
          adapters,
          env: { SHOP_DB_URL: db.reference },
          holder: `pid ${process.pid}@${hostname()}`,
        };
        const run = await createRun(deps, shopMigration(injection), {
          approve: RISKY_STEPS,
          approvedBy: "executor-postgres.test",
        });
        const final = await executeRun(deps, run.id);
        const events = await store.events(run.id);
        const failure = events.find((e) => e.type === "step.failed" || e.type === "check.fail");
        expect(final.status, JSON.stringify(failure?.data)).toBe("rolled_back");

        // What the rollback should cover: the phase back to its checkpoint, or everything.
        const k = PHASES.indexOf(injection.phase);
        const [first, second] = PHASE_STEPS[injection.phase];
        const before = PHASES.slice(0, k).flatMap((p) => PHASE_STEPS[p]);
        const everything = PHASES.flatMap((p) => PHASE_STEPS[p]);
        const phaseScope = {
          kind: "phase",
          phaseId: injection.phase,
          checkpoint: `before:${injection.phase}`,
        };
        const expected = {
          step: { scope: phaseScope, undone: [boomId(injection.phase), first], kept: before },
          intra: { scope: phaseScope, undone: [second, first], kept: before },
          post: { scope: { kind: "all", checkpoint: "source" }, undone: [...everything].reverse(), kept: [] },
        }[injection.kind];

        const started = events.filter((e) => e.type === "rollback.started");
        expect(started).toHaveLength(1);
        expect(started[0]?.data.scope).toEqual(expected.scope);
        expect(started[0]?.data.steps).toEqual(expected.undone);
        expect(events.filter((e) => e.type === "step.rolled_back").map((e) => e.step_id)).toEqual(
          expected.undone,
        );
        const states = Object.fromEntries(
          (await store.getStepStates(run.id)).map((s) => [s.step_id, s.state]),
        );
        const expectedStates: Record<string, string> = {};
        for (const id of expected.kept) expectedStates[id] = "succeeded";
        for (const id of expected.undone) expectedStates[id] = "rolled_back";
        expect(states).toEqual(expectedStates); // nothing else ran: no other step has a state
        if (injection.kind === "step") {
          expect(events.find((e) => e.type === "step.failed")?.data.error).toContain(
            `injected failure in phase ${injection.phase}`,
          );
        } else {
          const failed = events.filter((e) => e.type === "check.fail").map((e) => e.check_id);
          expect(failed).toEqual([`injected-${injection.kind}-${injection.phase}`]);
        }

        // The database is back where the rollback aimed, by the test's own snapshots.
        const checkpoint = expected.scope.checkpoint;
        const after = shape(await own.snapshot());
        expect(photos.get("source")).toEqual(source);
        const target = photos.get(checkpoint);
        expect(target, `no snapshot taken at checkpoint ${checkpoint}`).toBeDefined();
        expect(after).toEqual(target);
        if (injection.kind === "post") expect(after).toEqual(source);
        else if (k > 0)
          expect(after.fingerprint).not.toBe(source.fingerprint); // phases before k stay
        else expect(after).toEqual(source);
        // …and the executor agrees with it: its checkpoint, its verification.
        const stored = (await store.getCheckpoints(run.id)).find((c) => c.checkpoint_id === checkpoint);
        expect(shape(stored?.snapshot["shop-db"] as Snapshot)).toEqual(target);
        const verified = events.filter((e) => e.type === "rollback.verified");
        expect(verified.map((e) => e.data)).toMatchObject([{ checkpoint, equal: true, differences: [] }]);
        // The rollback had something to undo: the state it started from was not the target.
        const from = started[0]?.data.snapshot as Record<string, Shape> | undefined;
        expect(from?.["shop-db"]).toBeDefined();
        expect(from?.["shop-db"]).not.toEqual(target);

        // Plain catalog queries say the same: the phases kept are in place, nothing after them.
        expect(await landmarks(own)).toEqual(landmarksAfter(injection.kind === "post" ? 0 : k));
        expect(events.at(-1)).toMatchObject({
          type: "incident",
          data: { restored: true, scope: expected.scope },
        });
      } finally {
        await own.close();
      }
    });

    it("without an injected failure, the same blueprint completes (the variants fail only where injected)", async () => {
      const db = await setting().shops.fresh();
      const own = await db.open();
      try {
        const deps: ExecutorDeps = {
          store,
          adapters,
          env: { SHOP_DB_URL: db.reference },
          holder: `pid ${process.pid}@${hostname()}`,
        };
        const run = await createRun(deps, shopMigration(), { approve: RISKY_STEPS, approvedBy: "test" });
        const final = await executeRun(deps, run.id);
        expect(final.status).toBe("completed");
        expect(await landmarks(own)).toEqual(landmarksAfter(4));
      } finally {
        await own.close();
      }
    });
  });

  it("two executors started on the same component: exactly one runs; the other exits with the holder named", async () => {
    const { shops } = setting();
    const db = await shops.fresh();
    const dir = mkdtempSync(join(tmpdir(), "ma-two-executors-"));
    try {
      const file = writeBlueprint(
        dir,
        "hold.json",
        shopBlueprint("bp-hold", [
          shopAction("add-nickname", "postgres.add_column", {
            table: "users",
            column: { name: "nickname", type: "text", nullable: true },
          }),
          shopSql(
            "fill-nickname",
            "UPDATE users SET nickname = 'nick' || id WHERE nickname IS NULL",
            "UPDATE users SET nickname = NULL",
          ),
          // Long enough for the two processes to overlap, whichever takes the lock first.
          shopSql("hold", "SELECT pg_sleep(4)", "SELECT 1"),
        ]),
      );
      const stateUrl = await setting().stateUrl?.();
      const env = { SHOP_DB_URL: db.reference, ...(stateUrl ? { MA_STATE_URL: stateUrl } : {}) };
      if (!stateUrl) {
        // Two state directories made ready beforehand, so that both processes start alike.
        await (await openStore({ stateDir: join(dir, "state-a") })).close();
        cpSync(join(dir, "state-a"), join(dir, "state-b"), { recursive: true });
      }
      // While the first holds the component, its lock (a file beside a PGlite directory) names it.
      let lockFile: string | undefined;
      const peek = (chunk: string) => {
        if (db.path && lockFile === undefined && chunk.includes("▸ hold")) {
          lockFile = existsSync(`${db.path}.lock`) ? readFileSync(`${db.path}.lock`, "utf8") : "(none)";
        }
      };
      const a = startCli(["run", file, "--state", join(dir, "state-a")], env, { onStdout: peek });
      const b = startCli(["run", file, "--state", join(dir, "state-b")], env, { onStdout: peek });
      const outcomes = await Promise.all([a.done, b.done]);

      const winners = outcomes.filter((o) => o.code === 0);
      const losers = outcomes.filter((o) => o.code !== 0);
      expect(winners.length, outcomes.map(show).join("\n\n")).toBe(1);
      const winner = winners[0] as CliOutcome;
      const loser = losers[0] as CliOutcome;
      const runId = /^run (run-[\w-]+) \(resume with/m.exec(winner.stdout)?.[1];
      expect(runId, winner.stdout).toBeDefined();
      expect(winner.stdout).toContain(`run ${runId}: completed`);

      const holder = `run ${runId}, pid ${winner.pid}@${hostname()}`;
      expect(loser.code, show(loser)).toBe(1);
      expect(loser.stderr).toContain("(from env:SHOP_DB_URL)");
      expect(loser.stderr).toContain(`is locked by ${holder}`);
      expect(loser.stderr).not.toContain("internal error");
      expect(loser.stdout).not.toContain("▸ hold"); // it ran no step
      expect(loser.endedAt).toBeLessThan(winner.endedAt); // refused while the first ran
      if (db.path) {
        expect(JSON.parse(lockFile ?? "{}")).toMatchObject({ holder, pid: winner.pid, host: hostname() });
        expect(existsSync(`${db.path}.lock`)).toBe(false); // released at the end
      }

      // The runs as the store has them: one completed, the other never started a step.
      const runs = [];
      for (const open of stateUrl
        ? [() => openStore({ url: stateUrl })]
        : [
            () => openStore({ stateDir: join(dir, "state-a") }),
            () => openStore({ stateDir: join(dir, "state-b") }),
          ]) {
        const store = await open();
        try {
          for (const run of await store.listRuns()) {
            runs.push({ ...run, states: await store.getStepStates(run.id) });
          }
        } finally {
          await store.close();
        }
      }
      expect(runs).toHaveLength(2);
      expect(runs.find((r) => r.id === runId)?.status).toBe("completed");
      const other = runs.find((r) => r.id !== runId);
      expect(other?.states).toEqual([]);
      expect(other?.status).not.toBe("completed");

      // The target took the winner's change once, and is whole.
      const own = await db.open();
      try {
        expect(
          await own.query(
            "SELECT count(*)::int AS n, count(*) FILTER (WHERE nickname = 'nick' || id)::int AS named FROM users",
          ),
        ).toEqual([{ n: 30, named: 30 }]);
        expect((await own.snapshot()).checksums["public.orders"]).toMatch(/^40:/);
      } finally {
        await own.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("Secrets: a connection string with a password never appears in events, reports or terminal output", () => {
    const password = `Pw-${randomBytes(9).toString("hex")}-s3cret`;
    /** Everything a run left or printed, to search for the password. */
    const leaks = (texts: string[], dirs: string[]) => {
      const found: string[] = [];
      for (const text of texts) if (text.includes(password)) found.push(text);
      for (const dir of dirs) {
        for (const f of filesUnder(dir)) if (readFileSync(f).includes(password)) found.push(`file ${f}`);
      }
      return found;
    };

    it("an unreachable server: the error names the URL with its password hidden, everywhere", async () => {
      const dir = mkdtempSync(join(tmpdir(), "ma-secrets-unreachable-"));
      try {
        const state = join(dir, "state");
        const host = url ? new URL(url).hostname : "127.0.0.1";
        // Port 1: nothing listens there, so the connection is refused at once.
        const unreachable = `postgres://ma_app:${password}@${host}:1/shop`;
        const file = writeBlueprint(
          dir,
          "unreachable.json",
          shopBlueprint(
            "bp-unreachable",
            [
              shopAction("add-nickname", "postgres.add_column", {
                table: "users",
                column: { name: "nickname", type: "text", nullable: true },
              }),
            ],
            [],
            "env:DB_URL",
          ),
        );
        // The runs' state: a PGlite directory (every byte of it searched afterwards), or on
        // PostgreSQL a store database (every row of it searched).
        const stateUrl = await setting().stateUrl?.();
        const env = { DB_URL: unreachable, ...(stateUrl ? { MA_STATE_URL: stateUrl } : {}) };
        const outcomes: CliOutcome[] = [];
        for (const argv of [
          ["run", file, "--state", state],
          ["run", file, "--state", state, "--json"],
          ["run", file, "--state", state, "--debug"],
          ["check", file, "--stage", "pre"],
          ["check", file, "--stage", "pre", "--json"],
        ]) {
          outcomes.push(await runCliProcess(argv, env));
        }
        for (const o of outcomes) expect(o.code, show(o)).not.toBe(0);
        // Not vacuous: the messages do name the server, with the password hidden.
        const redacted = `postgres://ma_app:***@${host}:1/shop (from env:DB_URL)`;
        expect(outcomes[0]?.stderr).toContain(redacted);
        expect(outcomes[3]?.stdout).toContain(redacted);
        // Whatever the runs recorded, status and report show it without the password.
        const listed = await runCliProcess(["status", "--json", "--state", state], env);
        outcomes.push(listed);
        const runs = JSON.parse(listed.stdout) as { id: string }[];
        expect(runs.length).toBeGreaterThan(0);
        for (const run of runs.slice(0, 1)) {
          for (const argv of [
            ["status", run.id, "--json"],
            ["report", run.id],
            ["report", run.id, "--json"],
            ["resume", run.id],
            ["resume", run.id, "--json"],
          ]) {
            outcomes.push(await runCliProcess([...argv, "--state", state], env));
          }
        }
        // A store that cannot be reached either.
        outcomes.push(
          await runCliProcess(["status", "--json"], {
            MA_STATE_URL: `postgres://ma_state:${password}@${host}:1/state`,
          }),
        );
        const texts = outcomes.flatMap((o) => [o.stdout, o.stderr]);
        const stored = stateUrl ? await dumpPostgresStore(stateUrl) : await dumpPgliteStore(state);
        expect(stored).toContain('"blueprint_id":"bp-unreachable"'); // the runs were recorded
        texts.push(stored);
        expect(leaks(texts, [state])).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it.runIf(backend === "PostgreSQL")(
      "runs (completed, rolled back), reports, status and a rollback against a server reached with a password",
      async () => {
        const server = setting().server;
        if (!server) throw new Error("PostgreSQL only");
        const dir = mkdtempSync(join(tmpdir(), "ma-secrets-"));
        try {
          // A role with a password owns the target and the store (the test server may trust
          // every connection: the password is in the URL all the same).
          const role = await server.role(password);
          const asRole = (database: string) => {
            const withPassword = new URL(database);
            withPassword.username = role;
            withPassword.password = password;
            return withPassword.toString();
          };
          const target = asRole(await server.database(role));
          const stateUrl = asRole(await server.database(role));
          const schema = new pg.Client({ connectionString: target });
          await schema.connect();
          try {
            await schema.query(SHOP_SCHEMA);
            await schema.query(SMALL_SEED);
          } finally {
            await schema.end();
          }
          const completes = writeBlueprint(
            dir,
            "completes.json",
            shopBlueprint(
              "bp-secrets-ok",
              [
                shopAction("add-nickname", "postgres.add_column", {
                  table: "users",
                  column: { name: "nickname", type: "text", nullable: true },
                }),
              ],
              [
                shopCheck("room", "pre", "capacity", { max_connections_used: 0.95 }),
                shopCheck("users-intact", "post", "data_integrity", { table: "users", expect_rows: 30 }),
              ],
              "env:DB_URL",
            ),
          );
          const failing = writeBlueprint(
            dir,
            "fails.json",
            shopBlueprint(
              "bp-secrets-fails",
              [
                shopAction("add-referrer", "postgres.add_column", {
                  table: "users",
                  column: { name: "referrer", type: "text", nullable: true },
                }),
                shopSql("boom", "DO $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$", "SELECT 1"),
              ],
              [],
              "env:DB_URL",
            ),
          );
          const env = { DB_URL: target, MA_STATE_URL: stateUrl };
          const outcomes: CliOutcome[] = [];
          const cli = async (...argv: string[]) => {
            const o = await runCliProcess(argv, env);
            outcomes.push(o);
            return o;
          };
          const completed = await cli("run", completes);
          expect(completed.code, show(completed)).toBe(0);
          const json = await cli("run", failing, "--json");
          expect(json.code, show(json)).toBe(1);
          const plainFail = await cli("run", failing);
          expect(plainFail.code, show(plainFail)).toBe(1);
          await cli("run", completes, "--json"); // the column is there already: a re-run is a no-op
          await cli("check", completes, "--stage", "pre");
          await cli("check", completes, "--stage", "pre", "--json");
          const listed = await cli("status", "--json");
          const runs = JSON.parse(listed.stdout) as { id: string; status: string }[];
          expect(runs.map((r) => r.status).sort()).toEqual([
            "completed",
            "completed",
            "rolled_back",
            "rolled_back",
          ]);
          // One run of each ending is enough: they print the same fields.
          for (const status of ["completed", "rolled_back"]) {
            const run = runs.find((r) => r.status === status) as { id: string };
            await cli("status", run.id, "--json");
            await cli("status", run.id);
            await cli("report", run.id);
            await cli("report", run.id, "--json");
          }
          await cli("status");
          const firstRun = /^run (run-[\w-]+) \(resume with/m.exec(completed.stdout)?.[1] ?? "";
          const back = await cli("rollback", firstRun, "--json");
          expect(back.code, show(back)).toBe(0);
          await cli("report", firstRun);

          // Not vacuous: the connection was described in what was printed and stored.
          const all = outcomes.flatMap((o) => [o.stdout, o.stderr]).join("\n");
          expect(all).toContain(`postgres://${role}:***@`);
          const stored = await dumpPostgresStore(stateUrl);
          expect(stored).toContain(`postgres://${role}:***@`);
          expect(leaks([...outcomes.flatMap((o) => [o.stdout, o.stderr]), stored], [dir])).toEqual([]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}

describe("the executor on the postgres adapter, PGlite", () => {
  const shops = pgliteShops();
  beforeAll(() => shops.setup());
  afterAll(() => shops.teardown());
  executorOnPostgres("PGlite", () => ({
    shops,
    store: () => openStore({ stateDir: ":memory:" }),
  }));
});

describe.skipIf(!url)("the executor on the postgres adapter, PostgreSQL", () => {
  const server = postgresShops(url ?? "postgres://unused");
  beforeAll(() => server.setup());
  afterAll(() => server.teardown());
  executorOnPostgres("PostgreSQL", () => ({
    shops: server,
    server,
    store: async () => openStore({ url: await server.database() }),
    stateUrl: () => server.database(),
  }));
});
