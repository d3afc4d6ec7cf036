/**
 * A load generator for the PostgreSQL benchmark: an open loop that starts statements at a fixed
 * rate on a pool of its own connections, whether or not the earlier ones have returned (a
 * blocked table piles statements up, as it would for an application), and records each one's
 * latency — its wait, when a lock holds it — and whether it failed.
 *
 * Statements: reads by primary key, updates of one row, inserts; on `accounts` (bench schema).
 * They name id, email, balance, status and note: a migration of created_at never breaks them.
 */
import pg from "pg";
import { percentile } from "../src/adapters/check-result.js";

export interface TrafficOptions {
  url: string;
  /** Statements per second. */
  rate: number;
  /** Share of reads; the rest is split between updates and inserts. */
  readShare?: number;
  connections?: number;
  /** The highest id of the table when traffic starts (reads and updates pick ids up to it). */
  maxId: number;
  /** A statement slower than this is cancelled by the server and counted as failed. */
  statementTimeoutMs?: number;
}

export interface Sample {
  /** When it was started, ms since the traffic's start. */
  at: number;
  ms: number;
  kind: "read" | "update" | "insert";
  ok: boolean;
  error?: string;
}

export interface TrafficFigures {
  statements: number;
  failed: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Statements slower than 1 s. */
  over_1s: number;
  errors: string[];
}

export class Traffic {
  private readonly pool: pg.Pool;
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private started = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private seq = 0;

  constructor(private readonly options: TrafficOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.connections ?? 8,
      application_name: "ma-bench-traffic",
      statement_timeout: options.statementTimeoutMs ?? 30_000,
    });
    // A connection the server ends (a database dropped under it) must not crash the benchmark.
    this.pool.on("error", () => undefined);
  }

  /** Starts the loop. */
  start(): void {
    this.started = performance.now();
    const interval = 1000 / this.options.rate;
    let next = this.started;
    const tick = () => {
      const now = performance.now();
      // Catch up on the ticks a busy event loop missed, so the rate holds.
      while (next <= now) {
        this.fire(next - this.started);
        next += interval;
      }
      this.timer = setTimeout(tick, Math.max(0, next - performance.now()));
    };
    tick();
  }

  /** A mark in the traffic's time, to cut its samples into windows. */
  now(): number {
    return performance.now() - this.started;
  }

  /** Figures of the statements started in [from, to). */
  window(from: number, to = Number.POSITIVE_INFINITY): TrafficFigures {
    return figuresOf(this.samples.filter((s) => s.at >= from && s.at < to));
  }

  /** Stops starting statements and waits for those under way. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
    await this.pool.end();
  }

  private fire(at: number): void {
    const n = this.seq++;
    const readShare = this.options.readShare ?? 0.7;
    // A fixed pattern rather than random draws: the same mix in every window.
    const slot = (n * 0.6180339887) % 1;
    const kind: Sample["kind"] =
      slot < readShare ? "read" : slot < readShare + (1 - readShare) / 2 ? "update" : "insert";
    const id = 1 + ((n * 7919) % this.options.maxId);
    const sql: { text: string; values: unknown[] } =
      kind === "read"
        ? { text: "SELECT id, email, balance, status FROM accounts WHERE id = $1", values: [id] }
        : kind === "update"
          ? { text: "UPDATE accounts SET balance = balance + 1 WHERE id = $1", values: [id] }
          : {
              text: "INSERT INTO accounts (email, balance, status, note) VALUES ($1, 0, 'new', 'load')",
              values: [`load${n}@example.com`],
            };
    const t0 = performance.now();
    const task = this.pool
      .query(sql.text, sql.values)
      .then(
        () => this.samples.push({ at, ms: performance.now() - t0, kind, ok: true }),
        (error: Error) =>
          this.samples.push({ at, ms: performance.now() - t0, kind, ok: false, error: error.message }),
      )
      .then(() => undefined);
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

export function figuresOf(samples: readonly Sample[]): TrafficFigures {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const failed = samples.filter((s) => !s.ok);
  return {
    statements: samples.length,
    failed: failed.length,
    p50_ms: round(percentile(ms, 50)),
    p95_ms: round(percentile(ms, 95)),
    p99_ms: round(percentile(ms, 99)),
    max_ms: round(ms.at(-1) ?? 0),
    over_1s: ms.filter((m) => m > 1000).length,
    errors: [...new Set(failed.map((s) => s.error ?? "?"))].slice(0, 3),
  };
}
