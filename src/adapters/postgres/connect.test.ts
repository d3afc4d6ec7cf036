import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Component, HealthCheck } from "../../core/blueprint/schema.js";
import { postgresAdapter } from "./adapter.js";
import { pgConnection } from "./connection.js";
import { nodePgClient } from "./node-pg-client.js";

const SECRET = "hunter2-s3cr3t";
const component = (connection: string, options?: Record<string, unknown>): Component => ({
  id: "app-db",
  kind: "postgres",
  connection,
  ...(options ? { options } : {}),
});

describe("connect and lock on a PGlite directory", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ma-pglite-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("shares one instance per directory, and keeps others out with <path>.lock", async () => {
    const path = join(dir, "shop");
    const a = await postgresAdapter.connect(component(`pglite:${path}`), {});
    const b = await postgresAdapter.connect(component("env:SHOP_DB"), { SHOP_DB: `pglite:${path}` });
    try {
      expect(a.describe).toBe(`pglite:${path}`);
      expect(b.describe).toBe(`pglite:${path} (from env:SHOP_DB)`);
      await a.connection.client.exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)");
      const { rows } = await b.connection.client.query<{ n: number }>("SELECT count(*)::int AS n FROM t");
      expect(rows[0]?.n).toBe(1); // the same database, through one instance

      const release = await postgresAdapter.lock(a.connection, "pid 1@a (run r1)");
      const file = JSON.parse(await readFile(`${path}.lock`, "utf8"));
      expect(file).toMatchObject({ holder: "pid 1@a (run r1)", pid: process.pid, host: hostname() });
      await expect(postgresAdapter.lock(b.connection, "pid 2@b (run r2)")).rejects.toThrow(
        new RegExp(
          `pglite:.*shop \\(from env:SHOP_DB\\) is locked by pid 1@a \\(run r1\\) \\(pid ${process.pid} on `,
        ),
      );
      await release();
      await expect(readFile(`${path}.lock`, "utf8")).rejects.toThrow(/ENOENT/);
      const again = await postgresAdapter.lock(b.connection, "pid 2@b (run r2)");
      await again();
    } finally {
      await a.close();
      await b.close();
    }
    // Closed by the last release: it opens again.
    const c = await postgresAdapter.connect(component(`pglite:${path}`), {});
    await c.close();
  });

  it("takes over a lock file left by a process that is gone", async () => {
    const path = join(dir, "stale");
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    await writeFile(
      `${path}.lock`,
      JSON.stringify({ holder: "crashed run", pid: dead, host: hostname(), since: "x" }),
    );
    const db = await postgresAdapter.connect(component(`pglite:${path}`), {});
    try {
      const release = await postgresAdapter.lock(db.connection, "new run");
      expect(JSON.parse(await readFile(`${path}.lock`, "utf8")).holder).toBe("new run");
      await release();
    } finally {
      await db.close();
    }
  });

  it("never presumes a lock from another host stale", async () => {
    const path = join(dir, "remote");
    await writeFile(
      `${path}.lock`,
      JSON.stringify({ holder: "their run", pid: 1, host: "elsewhere", since: "x" }),
    );
    const db = await postgresAdapter.connect(component(`pglite:${path}`), {});
    try {
      await expect(postgresAdapter.lock(db.connection, "mine")).rejects.toThrow(
        /locked by their run \(pid 1 on elsewhere/,
      );
    } finally {
      await db.close();
    }
  });

  it("locks pglite:memory in process", async () => {
    const db = await postgresAdapter.connect(component("pglite:memory"), {});
    try {
      const release = await postgresAdapter.lock(db.connection, "first");
      await expect(postgresAdapter.lock(db.connection, "second")).rejects.toThrow(
        "pglite:memory is locked by first",
      );
      await release();
      await (await postgresAdapter.lock(db.connection, "second"))();
      expect(await postgresAdapter.discover(db.connection)).toMatchObject({
        kind: "postgres",
        driver: "pglite",
        tables: [],
      });
    } finally {
      await db.close();
    }
  });

  it("reads lock_timeout, ddl_attempts and snapshot_exclude from the component's options", async () => {
    const db = await postgresAdapter.connect(
      component("pglite:memory", { lock_timeout: "2s", ddl_attempts: 3, snapshot_exclude: ["client_log"] }),
      {},
    );
    try {
      expect(db.connection.ddl).toMatchObject({ lockTimeoutMs: 2000, maxAttempts: 3 });
      expect(db.connection.snapshotExclude).toEqual(["client_log"]);
    } finally {
      await db.close();
    }
    await expect(
      postgresAdapter.connect(component("pglite:memory", { lock_timeout: "soon" }), {}),
    ).rejects.toThrow(/options: expected a duration/);
  });
});

describe("secrets", () => {
  const url = `postgres://app:${SECRET}@127.0.0.1:1/shop`;

  it("never puts the password of an env: URL in a connection error", async () => {
    const error = await postgresAdapter
      .connect(component("env:DATABASE_URL"), { DATABASE_URL: url })
      .catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(
      /^cannot reach postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/shop \(from env:DATABASE_URL\): /,
    );
    expect(error.message).not.toContain(SECRET);
    expect(String(error.stack)).not.toContain(SECRET);
  });

  it("names the unset variable", async () => {
    await expect(postgresAdapter.connect(component("env:NOT_SET_ANYWHERE"), {})).rejects.toThrow(
      "environment variable NOT_SET_ANYWHERE is not set (the connection is env:NOT_SET_ANYWHERE)",
    );
  });

  it("turns an unreachable server into failed health checks of every type, redacted", async () => {
    const client = nodePgClient(url);
    const connection = pgConnection(client, "postgres://app:***@127.0.0.1:1/shop", { kind: "advisory" });
    try {
      const checks: HealthCheck[] = [
        { id: "up", type: "connectivity", stage: "pre", component: "app-db" },
        { id: "rows", type: "data_integrity", stage: "pre", component: "app-db", params: { table: "users" } },
        {
          id: "fast",
          type: "performance",
          stage: "pre",
          component: "app-db",
          params: { sql: "SELECT 1", p95_ms: 5 },
        },
        {
          id: "works",
          type: "functional",
          stage: "pre",
          component: "app-db",
          params: { sql: "SELECT true" },
        },
        { id: "room", type: "capacity", stage: "pre", component: "app-db" },
      ];
      for (const check of checks) {
        const result = await postgresAdapter.healthCheck(connection, check);
        expect(result).toMatchObject({ status: "fail", check_id: check.id, type: check.type });
        expect(result.message).toMatch(
          /check on postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/shop failed: .*ECONNREFUSED/,
        );
        expect(JSON.stringify(result)).not.toContain(SECRET);
      }
    } finally {
      await client.close();
    }
  });
});
