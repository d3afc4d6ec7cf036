import { hostname } from "node:os";
import { percentile } from "../src/adapters/check-result.js";
import { nodePgClient } from "../src/adapters/postgres/node-pg-client.js";
import { snapshotPostgres } from "../src/adapters/postgres/snapshot.js";
import { connectTraffic } from "../src/adapters/traffic/connection.js";
import { requestOnce } from "../src/adapters/traffic/embedded-client.js";
import { snapshotTraffic } from "../src/adapters/traffic/snapshot.js";
import type { Adapter, Snapshot } from "../src/adapters/types.js";
import type { Blueprint } from "../src/core/blueprint/schema.js";
import type { ExecutorDeps } from "../src/executor/deps.js";
import { createRun, executeRun } from "../src/executor/executor.js";
import { compareSnapshots } from "../src/executor/session.js";
import { rollBackConfirmed } from "../src/services/roll-back-confirmed.js";
import { openStore } from "../src/store/open.js";
import type { EvalCase } from "./case.js";
import type { CaseSystem } from "./fixture.js";
import { parseHttpTraffic, startHttpTraffic } from "./http-traffic.js";
import type { CheckResult } from "./score-plan.js";
import { startTraffic, type TrafficStats } from "./traffic.js";

export interface ExecutionResult {
  checks: CheckResult[];
  run_id?: string;
  status?: string;
  traffic?: Omit<TrafficStats, "latencies" | "messages"> & { p99_ms: number; messages: string[] };
  duration_ms: number;
}

/**
 * FORMAT.md `execute`: runs the plan on the fresh system (steps the core gates approved by the
 * runner, as the person would), under the case's traffic; then the `after` checks; then rolls
 * the whole run back and compares the schema fingerprint and every checksum with the snapshot
 * taken before the run.
 */
export async function executePlan(
  execute: NonNullable<EvalCase["expect"]["execute"]>,
  blueprint: Blueprint,
  gated: readonly string[],
  system: CaseSystem,
  adapters: ReadonlyArray<Adapter<unknown>>,
): Promise<ExecutionResult> {
  const started = performance.now();
  const checks: CheckResult[] = [];
  const before = await snapshotSystem(system);
  const store = await openStore({ stateDir: system.stateDir });
  const trafficPools: { close(): Promise<void> }[] = [];
  try {
    const deps: ExecutorDeps = {
      store,
      adapters,
      env: {},
      holder: `pid ${process.pid}@${hostname()} (eval)`,
    };
    const specs = (execute.traffic ?? []).filter((t) => t.sql);
    const httpSpecs = (execute.traffic ?? []).filter((t) => t.http && !t.sql);
    const unsupported = (execute.traffic ?? []).filter((t) => !t.sql && !t.http);
    if (unsupported.length) {
      checks.push({
        check: "traffic",
        pass: false,
        detail: `traffic for ${unsupported.map((t) => t.component).join(", ")} gives neither sql nor http`,
      });
    }
    const httpTraffic = [...new Set(httpSpecs.map((t) => t.component))].map((id) => {
      const service = system.services.get(id);
      if (!service)
        throw new Error(`http traffic names component '${id}', which is not a service of the case`);
      return startHttpTraffic(
        service.publicUrl,
        httpSpecs
          .filter((t) => t.component === id)
          .map((t) => ({ ...parseHttpTraffic(t.http ?? ""), rate: t.rate })),
        execute.max_wait_ms ?? 1000,
      );
    });
    const traffic = [...new Set(specs.map((t) => t.component))].map((id) => {
      const connection = system.connections.get(id);
      const url = system.components.find((c) => c.id === id)?.connection;
      if (!connection || !url)
        throw new Error(`traffic names component '${id}', which the case does not have`);
      // On a server, traffic has connections of its own; PGlite has one, shared with the run.
      const db = url.startsWith("pglite:") ? connection.client : nodePgClient(url, { max: 4 });
      if (db !== connection.client) trafficPools.push(db);
      return startTraffic(
        db,
        specs.filter((t) => t.component === id).map((t) => ({ sql: t.sql ?? "", rate: t.rate })),
        execute.max_wait_ms ?? 1000,
      );
    });
    // Rows the traffic inserts or deletes during the run are the users' data: a rollback keeps
    // them, so those tables cannot equal their pre-run checksums. They are left out of the
    // executor's comparison (snapshot_exclude, as for any table that changes by design) and
    // checked here instead: the rollback must not lose a row of them.
    const written = await withPartitions(system, writtenTables(specs.map((t) => t.sql ?? "")));
    const runnable = excludeFromSnapshots(blueprint, written);
    const run = await createRun(deps, runnable, { approve: gated, approvedBy: "the eval runner" });
    const final = await executeRun(deps, run.id);
    const stats = [
      ...(await Promise.all(traffic.map((t) => t.stop()))),
      ...(await Promise.all(httpTraffic.map((t) => t.stop()))),
    ];
    // FORMAT.md: a case whose new version is faulty expects the plan to notice and roll back.
    const expectsRollback = [...system.services.keys()].some((id) =>
      system.caseComponents
        .find((c) => c.id === id)
        ?.versions?.some((v) => !v.live && (v.error_rate ?? 0) > 0),
    );
    const ended = expectsRollback ? "rolled_back" : "completed";
    const incident = (await store.events(run.id)).filter((e) => e.type === "incident").at(-1);
    const why = typeof incident?.data.what === "string" ? `: ${incident.data.what}` : "";
    checks.push({
      check: expectsRollback ? "run rolls back" : "run completes",
      pass: final.status === ended,
      detail: `run ${run.id} ended ${final.status}${why}${expectsRollback ? " (the new version is faulty: a good plan notices and rolls back)" : ""}`,
    });
    let result: ExecutionResult["traffic"];
    if (stats.length) {
      const total = merge(stats);
      const failed = total.errors + total.slow;
      const allowed = execute.max_failed_requests ?? 0;
      result = {
        statements: total.statements,
        errors: total.errors,
        slow: total.slow,
        p99_ms: percentile(
          [...total.latencies].sort((a, b) => a - b),
          99,
        ),
        messages: total.messages,
      };
      checks.push({
        check: "max_failed_requests",
        pass: failed <= allowed,
        detail: `${failed} of ${total.statements} traffic statements failed (${total.errors} errors, ${total.slow} over ${execute.max_wait_ms ?? 1000} ms; p99 ${result.p99_ms.toFixed(1)} ms); allowed ${allowed}${total.messages.length ? `; first error: ${total.messages[0]}` : ""}`,
      });
    }
    if (final.status === ended) {
      for (const [i, after] of (execute.after ?? []).entries()) {
        if (after.serving !== undefined) {
          checks.push({
            check: `after #${i + 1}`,
            ...(await servingCheck(system, after.component, after.serving)),
          });
          continue;
        }
        const connection = system.connections.get(after.component);
        if (!after.sql || !connection) {
          checks.push({
            check: `after #${i + 1}`,
            pass: false,
            detail: after.sql
              ? `no component ${after.component}`
              : "only SQL after-checks are supported by this build",
          });
          continue;
        }
        try {
          const { rows } = await connection.client.query<Record<string, unknown>>(after.sql);
          const value = rows[0] ? Object.values(rows[0])[0] : undefined;
          checks.push({
            check: `after #${i + 1}`,
            pass: value === true,
            detail: `${after.sql} → ${String(value)}`,
          });
        } catch (error) {
          checks.push({
            check: `after #${i + 1}`,
            pass: false,
            detail: `${after.sql} failed: ${(error as Error).message}`,
          });
        }
      }
    }
    if (execute.rollback_restores) {
      const counted = await countRows(system, written);
      // A level-1 rollback step waits for a person to confirm it: the runner confirms, as the
      // person running the eval would (a level-2 step stays paused: a failure).
      const back = (await rollBackConfirmed(deps, run.id, "the eval runner")).run;
      const now = await snapshotSystem(system);
      const recounted = await countRows(system, written);
      const lost = [...counted]
        .filter(([key, n]) => recounted.get(key) !== n)
        .map(([key, n]) => `${key}: ${n} rows before the rollback, ${recounted.get(key)} after`);
      const differences = compareSnapshots(before, now)
        .map((d) => ({ ...d, tables: d.tables.filter((t) => !written.has(t.replace(/^public\./, ""))) }))
        .filter((d) => d.fingerprint || d.tables.length);
      checks.push({
        check: "rollback_restores",
        pass: back.status === "rolled_back" && differences.length === 0 && lost.length === 0,
        detail: `rollback ended ${back.status}; ${lost.length ? `rows lost: ${lost.join("; ")}; ` : written.size ? `written by traffic, no row lost: ${[...written].join(", ")}; ` : ""}${differences.length ? differences.map((d) => `${d.component}: ${d.fingerprint ? "schema differs; " : ""}${d.tables.length ? `tables differ: ${d.tables.join(", ")}` : ""}`).join("; ") : "schema fingerprint and every checksum equal to before the run"}`,
      });
    }
    return {
      checks,
      run_id: run.id,
      status: final.status,
      ...(result ? { traffic: result } : {}),
      duration_ms: Math.round(performance.now() - started),
    };
  } finally {
    for (const pool of trafficPools) await pool.close().catch(() => undefined);
    await store.close();
  }
}

/** Snapshots of every database and every route of the case (what a rollback must restore). */
async function snapshotSystem(system: CaseSystem): Promise<Record<string, Snapshot>> {
  const out: Record<string, Snapshot> = {};
  for (const [id, connection] of system.connections) out[id] = await snapshotPostgres(connection, id);
  for (const component of system.components.filter((c) => c.kind === "traffic")) {
    const connected = await connectTraffic(component, {});
    try {
      out[component.id] = await snapshotTraffic(connected.connection, component.id);
    } finally {
      await connected.close();
    }
  }
  return out;
}

/**
 * FORMAT.md `after: { component, serving }`: the route sends every request to that version — by
 * its weights, and by 20 requests through the router, each answered by it (`/version`).
 */
async function servingCheck(
  system: CaseSystem,
  id: string,
  version: string,
): Promise<Omit<CheckResult, "check">> {
  const component = system.components.find((c) => c.id === id && c.kind === "traffic");
  const service = system.services.get(id);
  if (!component || !service) return { pass: false, detail: `no service component '${id}'` };
  const connected = await connectTraffic(component, {});
  try {
    const state = await connected.connection.router.state();
    const others = Object.entries(state.weights).filter(([name, w]) => name !== version && w > 0);
    const seen: Record<string, number> = {};
    for (let i = 0; i < 20; i++) {
      // Each on a connection of its own, as the router's admin calls are.
      const { status, text } = await requestOnce(`${service.publicUrl}/version`, "GET", {}, undefined);
      const by =
        status === 200 ? String((JSON.parse(text) as { version?: unknown }).version) : `status ${status}`;
      seen[by] = (seen[by] ?? 0) + 1;
    }
    const pass = (state.weights[version] ?? 0) > 0 && others.length === 0 && seen[version] === 20;
    return {
      pass,
      detail: `${id} weights ${Object.entries(state.weights)
        .map(([n, w]) => `${n} ${w}`)
        .join(" / ")}; 20 requests answered by ${Object.entries(seen)
        .map(([n, k]) => `${n} ×${k}`)
        .join(", ")} (expected all by ${version})`,
    };
  } catch (error) {
    return { pass: false, detail: `${id}: ${(error as Error).message}` };
  } finally {
    await connected.close();
  }
}

/** Tables the traffic inserts into or deletes from. */
function writtenTables(statements: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const sql of statements) {
    for (const m of sql.matchAll(
      /\b(?:insert\s+into|delete\s+from)\s+(?:public\.)?"?([a-z_][a-z0-9_]*)"?/gi,
    )) {
      if (m[1]) out.add(m[1].toLowerCase());
    }
  }
  return out;
}

/**
 * The tables and every partition under them: rows inserted into a partitioned table land in its
 * partitions, whose checksums change with them.
 */
async function withPartitions(system: CaseSystem, tables: Set<string>): Promise<Set<string>> {
  const out = new Set(tables);
  if (!tables.size) return out;
  for (const connection of system.connections.values()) {
    const { rows } = await connection.client.query<{ name: string }>(
      `WITH RECURSIVE under(oid) AS (
         SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relname = ANY($1::text[])
         UNION SELECT i.inhrelid FROM pg_inherits i JOIN under u ON i.inhparent = u.oid)
       SELECT c.relname AS name FROM under u JOIN pg_class c ON c.oid = u.oid`,
      [[...tables]],
    );
    for (const row of rows) out.add(row.name);
  }
  return out;
}

function excludeFromSnapshots(blueprint: Blueprint, tables: Set<string>): Blueprint {
  if (!tables.size) return blueprint;
  const withOptions = (c: Blueprint["source_state"]["components"][number]) => {
    const current = (c.options?.snapshot_exclude as string[] | undefined) ?? [];
    return { ...c, options: { ...c.options, snapshot_exclude: [...new Set([...current, ...tables])] } };
  };
  return {
    ...blueprint,
    source_state: {
      ...blueprint.source_state,
      components: blueprint.source_state.components.map(withOptions),
    },
    target_state: {
      ...blueprint.target_state,
      components: blueprint.target_state.components.map(withOptions),
    },
  };
}

async function countRows(system: CaseSystem, tables: Set<string>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [id, connection] of system.connections) {
    for (const table of tables) {
      const { rows } = await connection.client
        .query<{ n: string }>(`SELECT count(*)::text AS n FROM "${table}"`)
        .catch(() => ({ rows: [] as { n: string }[] }));
      if (rows[0]) out.set(`${id}.${table}`, Number(rows[0].n));
    }
  }
  return out;
}

function merge(all: TrafficStats[]): TrafficStats {
  return all.reduce((a, b) => ({
    statements: a.statements + b.statements,
    errors: a.errors + b.errors,
    slow: a.slow + b.slow,
    latencies: [...a.latencies, ...b.latencies],
    messages: [...a.messages, ...b.messages].slice(0, 5),
  }));
}
