import { resolve } from "node:path";
import { z } from "zod";
import { parseDuration } from "../../core/blueprint/duration.js";
import type { Component } from "../../core/blueprint/schema.js";
import { type ConnectionTarget, redactConnection, resolveConnection } from "../connection-string.js";
import type { Connected } from "../types.js";
import type { SqlClient } from "./client.js";
import { nodePgClient } from "./node-pg-client.js";
import { pgliteClient } from "./pglite-client.js";
import { acquirePglite } from "./pglite-shared.js";

/** How DDL statements wait for their locks (DESIGN.md §4: lock_timeout, retries, backoff). */
export interface DdlSettings {
  /** `SET lock_timeout` for every DDL statement. */
  lockTimeoutMs: number;
  /** Attempts before giving up, the first included. */
  maxAttempts: number;
  /** The first backoff; it doubles each attempt, up to `maxDelayMs`, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_DDL: DdlSettings = {
  lockTimeoutMs: 500,
  maxAttempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

/** What the component's lock holds on. */
export type LockScope = { kind: "advisory" } | { kind: "file"; path: string } | { kind: "memory" };

/** A live PostgreSQL (or PGlite) component, as the actions, checks and snapshots get it. */
export interface PgConnection {
  client: SqlClient;
  /** Where it points, safe to print: never a password. */
  describe: string;
  lockScope: LockScope;
  /** Lock timeout and retries of DDL statements; the executor may tighten them per run. */
  ddl: DdlSettings;
  /** Tables left out of the data checksums (`options.snapshot_exclude`): ones that change by design. */
  snapshotExclude: readonly string[];
}

/** The component options this adapter reads; other keys are left to others. */
const PgOptions = z.looseObject({
  lock_timeout: z
    .string()
    .refine((t) => parseDuration(t) !== undefined, { error: 'expected a duration such as "500ms"' })
    .optional(),
  ddl_attempts: z.int().min(1).max(100).optional(),
  snapshot_exclude: z.array(z.string()).optional(),
  pool_size: z.int().min(1).max(100).optional(),
});

/**
 * Connects to a `postgres` component: resolves its connection reference, opens the client and
 * runs a first query, so that an unreachable server fails here. Every error is redacted.
 */
export async function connectPostgres(
  component: Component,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Connected<PgConnection>> {
  const options = PgOptions.safeParse(component.options ?? {});
  if (!options.success) {
    throw new Error(`component '${component.id}': options: ${options.error.issues[0]?.message}`);
  }
  const target = resolveConnection(component.connection, env);
  const client = await openClient(target, options.data.pool_size);
  try {
    await client.query("SELECT 1");
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new Error(redactConnection(`cannot reach ${target.describe}: ${(error as Error).message}`));
  }
  const connection = pgConnection(client, target.describe, lockScopeOf(target), {
    lockTimeoutMs: options.data.lock_timeout ? parseDuration(options.data.lock_timeout) : undefined,
    maxAttempts: options.data.ddl_attempts,
    snapshotExclude: options.data.snapshot_exclude,
  });
  return { connection, describe: target.describe, close: () => client.close() };
}

/** Builds a connection over a client already open (tests pass a PGlite clone or a pool). */
export function pgConnection(
  client: SqlClient,
  describe: string,
  lockScope: LockScope,
  settings: { lockTimeoutMs?: number; maxAttempts?: number; snapshotExclude?: readonly string[] } = {},
): PgConnection {
  return {
    client,
    describe,
    lockScope,
    ddl: {
      ...DEFAULT_DDL,
      lockTimeoutMs: settings.lockTimeoutMs ?? DEFAULT_DDL.lockTimeoutMs,
      maxAttempts: settings.maxAttempts ?? DEFAULT_DDL.maxAttempts,
    },
    snapshotExclude: settings.snapshotExclude ?? [],
  };
}

async function openClient(target: ConnectionTarget, poolSize: number | undefined): Promise<SqlClient> {
  try {
    switch (target.kind) {
      case "postgres":
        return nodePgClient(target.url, { max: poolSize });
      case "pglite-memory":
      case "pglite-file": {
        const shared = await acquirePglite(
          target.kind === "pglite-file" ? { kind: "file", path: target.path } : { kind: "memory" },
        );
        const client = pgliteClient(shared.db, { owned: false });
        return { ...client, close: () => shared.release() };
      }
    }
  } catch (error) {
    throw new Error(redactConnection(`cannot open ${target.describe}: ${(error as Error).message}`));
  }
}

function lockScopeOf(target: ConnectionTarget): LockScope {
  if (target.kind === "postgres") return { kind: "advisory" };
  if (target.kind === "pglite-file") return { kind: "file", path: resolve(target.path) };
  return { kind: "memory" };
}
