import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { connectPostgres, type PgConnection } from "../src/adapters/postgres/connection.js";
import type { Connected } from "../src/adapters/types.js";
import type { Component } from "../src/core/blueprint/schema.js";
import type { CaseComponent, LoadedCase } from "./case.js";
import { buildService, type CaseService } from "./service-fixture.js";

/** A case's system, built fresh: the components as a blueprint names them, and live connections. */
export interface CaseSystem {
  components: Component[];
  /** Open connections to each postgres component (for traffic, `after` checks and snapshots). */
  connections: Map<string, PgConnection>;
  /** The case's components as the case file wrote them (versions and their faults). */
  caseComponents: CaseComponent[];
  /** Each service component, running behind its router. */
  services: Map<string, CaseService>;
  /** Where run state for this case lives. */
  stateDir: string;
  close(): Promise<void>;
}

/** A component kind this runner cannot build yet: the case fails with this reason. */
export class UnsupportedComponentError extends Error {}

/**
 * Builds the case's components from scratch: a PGlite database per postgres component in a new
 * temporary directory (the default), or a new database on the server at `databaseUrl`. The
 * schema, then the seed, are loaded from the case's paths.
 */
export async function buildSystem(
  loaded: LoadedCase,
  options: { databaseUrl?: string } = {},
): Promise<CaseSystem> {
  const dir = await mkdtemp(join(tmpdir(), `ma-eval-${loaded.case.id.slice(0, 40)}-`));
  const open: Connected<PgConnection>[] = [];
  const created: string[] = [];
  const components: Component[] = [];
  const connections = new Map<string, PgConnection>();
  const services = new Map<string, CaseService>();
  const close = async () => {
    for (const c of open.splice(0)) await c.close().catch(() => undefined);
    for (const s of services.values()) await s.close().catch(() => undefined);
    if (options.databaseUrl && created.length) await dropDatabases(options.databaseUrl, created);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const spec of loaded.case.system.components) {
      if (spec.kind === "service") {
        const built = await buildService(spec, dir);
        services.set(spec.id, built.service);
        components.push(built.component);
        continue;
      }
      if (spec.kind !== "postgres") {
        throw new UnsupportedComponentError(
          `component '${spec.id}' is of kind ${spec.kind}; this build's eval runner can build postgres and service components`,
        );
      }
      let connection: string;
      if (options.databaseUrl) {
        const name = `ma_eval_${process.pid}_${Date.now().toString(36)}_${created.length}`;
        await adminQuery(options.databaseUrl, `CREATE DATABASE ${name}`);
        created.push(name);
        const url = new URL(options.databaseUrl);
        url.pathname = `/${name}`;
        connection = url.toString();
      } else {
        connection = `pglite:${join(dir, spec.id)}`;
      }
      const component: Component = { id: spec.id, kind: "postgres", connection };
      const connected = await connectPostgres(component, {});
      open.push(connected);
      for (const script of [spec.schema, spec.seed]) {
        if (!script) continue;
        await connected.connection.client.exec(await readFile(loaded.resolvePath(script), "utf8"));
      }
      await connected.connection.client.exec("ANALYZE");
      components.push(component);
      connections.set(spec.id, connected.connection);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    components,
    caseComponents: loaded.case.system.components,
    connections,
    services,
    stateDir: join(dir, "state"),
    close,
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function dropDatabases(url: string, names: string[]): Promise<void> {
  for (const name of names) {
    await adminQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  }
}
