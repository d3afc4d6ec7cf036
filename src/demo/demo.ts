import { mkdtemp, readFile, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import pc from "picocolors";
import { pgConnection } from "../adapters/postgres/connection.js";
import { pgliteClient } from "../adapters/postgres/pglite-client.js";
import { acquirePglite } from "../adapters/postgres/pglite-shared.js";
import { snapshotPostgres } from "../adapters/postgres/snapshot.js";
import { adapters } from "../adapters/registry.js";
import { progressPrinter } from "../cli/output/progress.js";
import { createCatalog } from "../core/catalog/catalog.js";
import { validateBlueprint } from "../core/validate.js";
import type { ExecutorDeps } from "../executor/deps.js";
import { createRun, executeRun } from "../executor/executor.js";
import { requestRollback } from "../executor/request-rollback.js";
import { compareSnapshots } from "../executor/session.js";
import { offlinePlanner } from "../planner/offline/offline-planner.js";
import { projectRoot } from "../project-root.js";
import { defaultCatalog } from "../services/catalog.js";
import { openSystem } from "../services/system.js";
import { openStore } from "../store/open.js";
import { percentile, startSimulatedClient } from "./simulated-client.js";

/** The sentence the demo plans from, and the component it names. */
const DEMO_REQUEST =
  "orders.total_cents is an integer and big orders will overflow it: make it a bigint, with no downtime";
const DEMO_COMPONENT = {
  id: "shop-db",
  kind: "postgres",
  connection: "env:DEMO_DATABASE_URL",
  options: { snapshot_exclude: ["client_log"] },
};

/** The demo's shop is the app fixture (evals/fixtures/app), found from the project's root. */
const ROOT = projectRoot();

export interface DemoOptions {
  injectFailure: boolean;
  keep: boolean;
  out(text: string): void;
  /** The terminal, for the live status line. */
  live?: { write(text: string): void };
}

/**
 * The demo: a shop database in embedded PGlite, a zero-downtime migration planned from a sentence by the offline planner and run on it
 * while a simulated client reads and writes, live progress, and the report. With
 * `injectFailure`, a health check fails in the phase that backfills: the phase rolls back automatically,
 * then the whole run is rolled back and the data checksums are shown equal to before.
 * Returns the exit code: 0 when the demo showed what it set out to show.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const { out } = options;
  const begun = Date.now();
  const dir = await mkdtemp(join(tmpdir(), "ma-demo-"));
  const dbPath = join(dir, "shop");
  out(pc.bold("Migration Architect demo") + pc.dim(`  (work dir ${dir})`));

  const shared = await acquirePglite({ kind: "file", path: dbPath });
  const client = pgliteClient(shared.db, { owned: false });
  const connection = pgConnection(
    client,
    `pglite:${dbPath}`,
    { kind: "memory" },
    { snapshotExclude: ["client_log"] },
  );
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  try {
    let t = Date.now();
    out("loading the shop database (embedded PGlite)…");
    await client.exec(await readFile(join(ROOT, "evals/fixtures/app/app-schema.sql"), "utf8"));
    await client.exec(await readFile(join(ROOT, "evals/fixtures/app/app-seed.sql"), "utf8"));
    await client.exec(
      "CREATE TABLE client_log (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), note text)",
    );
    out(
      `shop database ready: 20,000 users, 50,000 orders, 100,000 order items ${pc.dim(`(${Date.now() - t} ms)`)}`,
    );

    const before = await snapshotPostgres(connection, "shop-db");
    out(
      `before: schema ${short(before.fingerprint)}, ${Object.keys(before.checksums).length} tables checksummed`,
    );

    // Step one: the migration is planned from a sentence, by the offline planner (no network,
    // no key), which discovers the database first and fills the expand/contract template.
    const env = { ...process.env, DEMO_DATABASE_URL: `pglite:${dbPath}` };
    const planned = await offlinePlanner().plan({
      request: DEMO_REQUEST,
      system: openSystem([DEMO_COMPONENT], adapters, env),
      catalog: defaultCatalog(),
    });
    out(pc.bold(`\nplanning from a sentence (offline planner): "${DEMO_REQUEST}"`));
    if (planned.kind !== "blueprint" || !planned.valid) {
      throw new Error(
        `the offline planner did not plan the demo: ${planned.kind === "refusal" ? planned.reason : "invalid blueprint"}`,
      );
    }
    const blueprint = planned.blueprint;
    for (const phase of blueprint.phases) {
      out(`  ${phase.id}: ${phase.steps.map((s) => `${s.id} (${s.action})`).join(", ")}`);
    }
    for (const note of planned.notes) out(pc.dim(`  note: ${note}`));
    out(
      pc.dim(
        `  planned in ${planned.elapsed_ms - (planned.discovery_ms ?? 0)} ms after a ${planned.discovery_ms} ms discovery`,
      ),
    );
    if (options.injectFailure) {
      const phase = blueprint.phases.find((p) => p.steps.some((s) => s.action === "postgres.backfill"));
      phase?.health_checks?.push({
        id: "injected-failure",
        type: "functional",
        stage: "intra",
        component: "shop-db",
        description: "fails on purpose (--inject-failure)",
        params: { sql: "SELECT false" },
      });
      out(pc.yellow(`--inject-failure: the ${phase?.id} phase gets a health check that fails`));
    }
    const catalog = createCatalog(adapters.flatMap((a) => a.actions));
    const analysis = validateBlueprint(blueprint, { catalog }).analysis;
    const gated = analysis.steps.filter((ref) => analysis.approvals[ref.index]).map((ref) => ref.step.id);

    store = await openStore({ stateDir: join(dir, "state") });
    const deps: ExecutorDeps = {
      store,
      adapters,
      env,
      holder: `pid ${process.pid}@${hostname()} (demo)`,
      observe: progressPrinter({ json: false, out, started: begun, live: options.live }),
    };

    const traffic = startSimulatedClient(client);
    out(
      pc.bold("\nrunning the migration while a client reads and writes (a lookup and an insert, every 5 ms)"),
    );
    if (gated.length)
      out(pc.dim(`steps above the risk threshold, approved for the demo: ${gated.join(", ")}`));
    const run = await createRun(deps, blueprint, {
      approve: gated,
      approvedBy: "the demo (non-interactive)",
    });
    t = Date.now();
    let final = await executeRun(deps, run.id);
    out(`\nrun ${final.id}: ${pc.bold(final.status)} in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    let ok = final.status === "completed";
    if (options.injectFailure) {
      ok = final.status === "rolled_back";
      out(
        pc.bold(
          "\nthe failed phase was rolled back to its checkpoint; now the whole run goes back to the source",
        ),
      );
      final = await requestRollback(deps, run.id, { kind: "all" });
    }
    const stats = await traffic.stop();
    const after = await snapshotPostgres(connection, "shop-db");

    out(pc.bold("\nSummary"));
    const steps = await store.getStepStates(run.id);
    for (const s of steps) out(`  ${s.step_id}: ${s.state}`);
    const checks = await store.getHealthChecks(run.id);
    out(
      `  health checks: ${checks.filter((c) => c.status === "pass").length} passed, ${checks.filter((c) => c.status === "fail").length} failed`,
    );
    out(
      `  client: ${stats.reads} reads, ${stats.writes} writes, ${stats.failed} failed; latency p50 ${percentile(stats.latencies, 50).toFixed(1)} ms, p99 ${percentile(stats.latencies, 99).toFixed(1)} ms, max ${percentile(stats.latencies, 100).toFixed(1)} ms`,
    );
    if (stats.errors.length) out(pc.red(`  client errors: ${stats.errors.join("; ")}`));
    if (options.injectFailure) {
      const differences = compareSnapshots({ "shop-db": before }, { "shop-db": after });
      out(
        pc.bold("\nchecksums, before → after the rollback (client_log excluded: it is the client's own log)"),
      );
      for (const table of Object.keys(before.checksums).sort()) {
        const same = before.checksums[table] === after.checksums[table];
        out(
          `  ${same ? pc.green("=") : pc.red("≠")} ${table.padEnd(20)} ${short(before.checksums[table])} → ${short(after.checksums[table])}`,
        );
      }
      out(
        `  ${before.fingerprint === after.fingerprint ? pc.green("=") : pc.red("≠")} schema fingerprint   ${short(before.fingerprint)} → ${short(after.fingerprint)}`,
      );
      const identical = differences.length === 0;
      out(
        identical
          ? pc.green(pc.bold("the database is identical to before the run"))
          : pc.red("the database differs from before the run"),
      );
      ok = ok && final.status === "rolled_back" && identical;
    } else {
      out(`  schema ${short(before.fingerprint)} → ${short(after.fingerprint)} (changed, as planned)`);
    }
    out(
      pc.dim(
        options.keep
          ? `\nthe full report: migration-architect report ${run.id} --state ${join(dir, "state")}`
          : "\n(the work dir is removed now; npm run demo -- --keep keeps it, for migration-architect report and status)",
      ),
    );
    out(`demo finished in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
    return ok && stats.failed === 0 ? 0 : 1;
  } finally {
    await store?.close();
    await shared.release();
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  }
}

function short(hash: string | undefined): string {
  if (!hash) return "-";
  return hash.replace(/^sha256:/, "").slice(0, 12);
}
