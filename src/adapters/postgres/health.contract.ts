import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HealthCheck } from "../../core/blueprint/schema.js";
import type { HealthCheckResult } from "../types.js";
import type { Backend, Fresh } from "./backends.contract.js";
import { healthCheckPostgres } from "./health-check.js";
import { snapshotPostgres } from "./snapshot.js";

const check = (
  type: HealthCheck["type"],
  params?: Record<string, unknown>,
  timeout?: string,
): HealthCheck => ({
  id: `${type}-check`,
  type,
  stage: "pre",
  component: "app-db",
  ...(params ? { params } : {}),
  ...(timeout ? { timeout } : {}),
});

const baselineWith = (p95: number): HealthCheckResult => ({
  check_id: "performance-check",
  type: "performance",
  stage: "pre",
  component: "app-db",
  status: "pass",
  figures: { p50_ms: p95, p95_ms: p95, p99_ms: p95 },
  message: "",
  duration_ms: 1,
});

/** Every health-check type of DESIGN.md §4, passing and failing, on a fixture database. */
export function healthContract(backend: Backend): void {
  describe("health checks", () => {
    let db: Fresh;
    beforeAll(async () => {
      db = await backend.fresh();
    });
    afterAll(() => db.close());

    const PASS: [string, HealthCheck, HealthCheckResult?][] = [
      ["connectivity", check("connectivity", undefined, "5s")],
      ["data_integrity of a table", check("data_integrity", { table: "users" })],
      ["data_integrity with expect_rows", check("data_integrity", { table: "orders", expect_rows: 40 })],
      ["data_integrity of a view", check("data_integrity", { table: "order_summaries", min_rows: 1 })],
      ["data_integrity by query", check("data_integrity", { sql: "SELECT count(*) = 40 FROM orders" })],
      ["performance under a threshold", check("performance", { sql: "SELECT 1", probes: 5, p95_ms: 10_000 })],
      ["performance, no baseline yet", check("performance", { sql: "SELECT 1", baseline: true })],
      [
        "performance against a baseline",
        check("performance", { sql: "SELECT 1", probes: 5, baseline: true, max_regression: 2 }),
        baselineWith(1_000),
      ],
      ["functional, true", check("functional", { sql: "SELECT count(*) > 0 FROM order_summaries" })],
      ["functional, expected value", check("functional", { sql: "SELECT count(*) FROM users", expect: 30 })],
      [
        "functional, expected text",
        check("functional", { sql: "SELECT email FROM users WHERE id = 2", expect: "user2@example.com" }),
      ],
      ["capacity", check("capacity", { max_connections_used: 0.9, max_size_mb: 100_000 })],
      ["capacity, defaults", check("capacity")],
    ];
    it.each(PASS)("passes: %s", async (_name, c, baseline) => {
      const result = await healthCheckPostgres(db.connection, c, baseline);
      expect(result, result.message).toMatchObject({
        status: "pass",
        check_id: c.id,
        type: c.type,
        stage: "pre",
      });
      expect(result.duration_ms).toBeGreaterThanOrEqual(0);
    });

    const FAIL: [string, HealthCheck, RegExp, HealthCheckResult?][] = [
      [
        "data_integrity of a missing table",
        check("data_integrity", { table: "nope" }),
        /table public\.nope does not exist/,
      ],
      [
        "data_integrity, wrong count",
        check("data_integrity", { table: "orders", expect_rows: 41 }),
        /40 rows, expected 41/,
      ],
      [
        "data_integrity, too few",
        check("data_integrity", { table: "orders", min_rows: 100 }),
        /fewer than 100/,
      ],
      [
        "data_integrity by query",
        check("data_integrity", { sql: "SELECT count(*) = 0 FROM orders" }),
        /returned false/,
      ],
      ["data_integrity, bad identifier", check("data_integrity", { table: "users; DROP TABLE x" }), /params/],
      [
        "performance over a threshold",
        check("performance", { sql: "SELECT pg_sleep(0.02)", probes: 3, p95_ms: 5 }),
        /too slow: p95 \d+(\.\d+)?ms > 5ms/,
      ],
      [
        "performance against a baseline",
        check("performance", { sql: "SELECT pg_sleep(0.02)", probes: 3, baseline: true, noise_ms: 0 }),
        /2× the baseline 1ms/,
        baselineWith(1),
      ],
      ["performance without threshold", check("performance", { sql: "SELECT 1" }), /give a threshold/],
      ["performance, unknown key", check("performance", { sql: "SELECT 1", p95ms: 5 }), /p95ms/],
      [
        "performance past its timeout",
        check("performance", { sql: "SELECT pg_sleep(0.05)", probes: 10, p95_ms: 10_000 }, "100ms"),
        /no answer within 100ms/,
      ],
      ["functional, false", check("functional", { sql: "SELECT false" }), /returned false, expected true/],
      [
        "functional, other value",
        check("functional", { sql: "SELECT count(*) FROM users", expect: 31 }),
        /returned 30, expected 31/,
      ],
      ["functional, no rows", check("functional", { sql: "SELECT 1 WHERE false" }), /returned no rows/],
      [
        "functional, SQL error",
        check("functional", { sql: "SELECT * FROM nope" }),
        /functional check on .* failed: .*nope/,
      ],
      ["functional, no sql", check("functional", {}), /params.sql/],
      // A health check observes: its own query runs in a read-only transaction.
      [
        "functional, a query that writes",
        check("functional", { sql: "UPDATE users SET email = email WHERE id = 1 RETURNING true" }),
        /read-only transaction/,
      ],
      [
        "data_integrity by a query that writes",
        check("data_integrity", { sql: "WITH d AS (DELETE FROM orders RETURNING 1) SELECT true" }),
        /read-only transaction/,
      ],
      [
        "performance of a query that writes",
        check("performance", { sql: "CREATE TABLE sneaky (id int)", probes: 1, p95_ms: 10_000 }),
        /read-only transaction/,
      ],
      ["capacity, connections", check("capacity", { max_connections_used: 0.001 }), /connections in use/],
      [
        "capacity, size",
        check("capacity", { max_size_mb: 0.001 }),
        /the database is [\d.]+ MB \(> 0.001 MB\)/,
      ],
    ];
    it.each(FAIL)("fails: %s", async (_name, c, message, baseline) => {
      const result = await healthCheckPostgres(db.connection, c, baseline);
      expect(result.status).toBe("fail");
      expect(result.message).toMatch(message);
    });

    it("reports latencies in figures", async () => {
      const result = await healthCheckPostgres(
        db.connection,
        check("performance", { sql: "SELECT 1", probes: 7, p99_ms: 10_000 }),
      );
      expect(result.figures).toMatchObject({ probes: 7, threshold_p99_ms: 10_000 });
      for (const key of ["p50_ms", "p95_ms", "p99_ms", "max_ms"])
        expect(typeof result.figures[key]).toBe("number");
    });

    it("reports the row count and checksum of a table", async () => {
      const result = await healthCheckPostgres(db.connection, check("data_integrity", { table: "users" }));
      expect(result.figures).toMatchObject({
        rows: 30,
        checksum: expect.stringMatching(/^30:[0-9a-f]{32}$/),
      });
      const snapshot = await snapshotPostgres(db.connection, "app-db");
      expect(result.figures.checksum).toBe(snapshot.checksums["public.users"]);
    });
  });
}
