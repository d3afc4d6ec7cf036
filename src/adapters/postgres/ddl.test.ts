import { describe, expect, it } from "vitest";
import type { Queryable, SqlClient } from "./client.js";
import { pgConnection } from "./connection.js";
import { runDdl } from "./ddl.js";
import { LockTimeoutError } from "./errors.js";

/** A client whose transactions fail with `codes`, one per attempt, then succeed. */
function flakyClient(codes: string[]): { client: SqlClient; statements: string[] } {
  const statements: string[] = [];
  const tx: Queryable = {
    query: async (sql, params) => {
      statements.push(`${sql} ${JSON.stringify(params ?? [])}`);
      return { rows: [], rowCount: 0 };
    },
    exec: async () => undefined,
  };
  const client: SqlClient = {
    driver: "pg",
    ...tx,
    transaction: async (fn) => {
      const result = await fn(tx);
      const code = codes.shift();
      if (code) throw Object.assign(new Error(`canceling statement due to lock timeout (${code})`), { code });
      return result;
    },
    pinned: (fn) => fn(tx),
    close: async () => undefined,
  };
  return { client, statements };
}

describe("runDdl", () => {
  it("sets lock_timeout, retries lock timeouts with exponential backoff and jitter, and counts the waits", async () => {
    const { client, statements } = flakyClient(["55P03", "55P03", "40P01"]);
    const connection = pgConnection(client, "test", { kind: "memory" }, { lockTimeoutMs: 250 });
    const sleeps: number[] = [];
    const logs: string[] = [];
    const { value, figures } = await runDdl(connection, async () => "done", {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      log: (m) => logs.push(m),
    });
    expect(value).toBe("done");
    expect(statements[0]).toBe(`SELECT set_config('lock_timeout', $1, true) ["250ms"]`);
    // base 200ms, doubling, "equal jitter" with random 0.5: 3/4 of each delay
    expect(sleeps).toEqual([150, 300, 600]);
    expect(figures).toMatchObject({ ddl_attempts: 4, lock_timeouts: 3 });
    expect(figures.lock_wait_ms).toBeGreaterThanOrEqual(1050);
    expect(logs[0]).toBe("lock not granted within 250ms (attempt 1 of 6); retrying in 150ms");
  });

  it("gives up after maxAttempts with a LockTimeoutError", async () => {
    const { client } = flakyClient(Array(10).fill("55P03"));
    const connection = pgConnection(client, "test", { kind: "memory" }, { maxAttempts: 3 });
    const sleeps: number[] = [];
    const attempt = runDdl(connection, async () => undefined, {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 1,
    });
    await expect(attempt).rejects.toThrow(LockTimeoutError);
    await expect(
      runDdl(
        pgConnection(
          flakyClient(Array(10).fill("55P03")).client,
          "t",
          { kind: "memory" },
          { maxAttempts: 3 },
        ),
        async () => 1,
        {
          sleep: async () => undefined,
        },
      ),
    ).rejects.toThrow(/gave up after 3 attempts: each waited 500ms for a lock another session holds/);
    expect(sleeps).toEqual([200, 400]);
  });

  it("does not retry other errors", async () => {
    const { client } = flakyClient(["42P01"]);
    const connection = pgConnection(client, "test", { kind: "memory" });
    await expect(runDdl(connection, async () => 1, { sleep: async () => undefined })).rejects.toThrow(
      /42P01/,
    );
  });
});
