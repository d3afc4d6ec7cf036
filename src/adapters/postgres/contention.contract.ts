import pg from "pg";
import { describe, expect, it } from "vitest";
import { addColumn } from "./actions/add-column.js";
import { dropColumn } from "./actions/drop-column.js";
import { type Backend, stepContext } from "./backends.contract.js";
import { connectPostgres } from "./connection.js";
import { LockTimeoutError } from "./errors.js";

/**
 * What only a server with several sessions can show: DDL that waits behind a long transaction
 * under lock_timeout and retries, and what a second executor sees of the first.
 */
export function contentionContract(backend: Backend): void {
  describe("under contention (PostgreSQL)", () => {
    async function holdingUsers<T>(url: string, fn: (blocker: pg.Client) => Promise<T>): Promise<T> {
      const blocker = new pg.Client({ connectionString: url });
      await blocker.connect();
      try {
        // A long read transaction: it holds ACCESS SHARE on users until it ends.
        await blocker.query("BEGIN; SELECT count(*) FROM users");
        return await fn(blocker);
      } finally {
        await blocker.query("ROLLBACK").catch(() => undefined);
        await blocker.end();
      }
    }

    it("retries DDL behind a long transaction and records the lock waits", async () => {
      const db = await backend.fresh();
      try {
        const c = db.connection;
        c.ddl = { ...c.ddl, lockTimeoutMs: 100, baseDelayMs: 50, maxAttempts: 20 };
        const logs: string[] = [];
        const outcome = await holdingUsers(db.url ?? "", async (blocker) => {
          const step = addColumn.apply(
            c,
            { table: "users", column: { name: "nickname", type: "text" } },
            stepContext(logs),
          );
          // Readers are not queued behind the waiting ALTER for long: it gives up every 100ms.
          await new Promise((r) => setTimeout(r, 350));
          const reader = new pg.Client({ connectionString: db.url });
          await reader.connect();
          const started = Date.now();
          await reader.query("SELECT count(*) FROM users");
          const readWait = Date.now() - started;
          await reader.end();
          expect(readWait).toBeLessThan(1_000);
          await blocker.query("ROLLBACK");
          return step;
        });
        expect(outcome.figures).toMatchObject({ changed: true });
        expect(Number(outcome.figures?.lock_timeouts)).toBeGreaterThanOrEqual(2);
        expect(Number(outcome.figures?.lock_wait_ms)).toBeGreaterThanOrEqual(200);
        expect(logs[0]).toMatch(/^lock not granted within 100ms \(attempt 1 of 20\); retrying in \d+ms$/);
      } finally {
        await db.close();
      }
    });

    it("gives up after its attempts, leaving nothing half done", async () => {
      const db = await backend.fresh();
      try {
        const c = db.connection;
        c.ddl = { ...c.ddl, lockTimeoutMs: 50, baseDelayMs: 10, maxAttempts: 3 };
        await holdingUsers(db.url ?? "", async () => {
          const error = await dropColumn
            .apply(c, { table: "users", column: "phone" }, stepContext())
            .catch((e) => e);
          expect(error).toBeInstanceOf(LockTimeoutError);
          expect(error.message).toMatch(/gave up after 3 attempts: each waited 50ms/);
        });
        expect(await dropColumn.verify(c, { table: "users", column: "phone" })).toBe(false);
        const { rows } = await c.client.query("SELECT to_regclass('ma_backup_users_phone') AS backup");
        expect(rows[0]).toEqual({ backup: null });
      } finally {
        await db.close();
      }
    });

    it("hides the password of the URL it connected with", async () => {
      const db = await backend.fresh();
      try {
        const url = new URL(db.url ?? "");
        url.password = "s3cr3t-pw";
        const connected = await connectPostgres(
          { id: "app-db", kind: "postgres", connection: "env:WITH_PASSWORD" },
          { WITH_PASSWORD: url.toString() },
        );
        try {
          expect(connected.describe).toMatch(/^postgres:\/\/\w+:\*\*\*@[^ ]+ \(from env:WITH_PASSWORD\)$/);
          expect(connected.connection.describe).not.toContain("s3cr3t-pw");
          const locked = await connected.connection.client.query("SELECT 1 AS one");
          expect(locked.rows).toEqual([{ one: 1 }]);
        } finally {
          await connected.close();
        }
      } finally {
        await db.close();
      }
    });
  });
}
