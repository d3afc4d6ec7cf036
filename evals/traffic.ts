import type { Queryable } from "../src/adapters/postgres/client.js";

export interface TrafficSpec {
  sql: string;
  /** Statements per second. */
  rate: number;
}

export interface TrafficStats {
  statements: number;
  /** Statements that errored. */
  errors: number;
  /** Statements that took longer than `maxWaitMs` (queued behind a lock, or behind a step). */
  slow: number;
  latencies: number[];
  /** The first few error messages. */
  messages: string[];
}

/**
 * A case's synthetic load (FORMAT.md `execute.traffic`): each statement fired at its rate, on
 * schedule (not one after the other), on `db` — PGlite's one connection, interleaved with the
 * run, or a pool of the traffic's own on a server. A statement that errors or waits past
 * `maxWaitMs` counts as failed.
 */
export function startTraffic(
  db: Queryable,
  specs: readonly TrafficSpec[],
  maxWaitMs: number,
): { stop(): Promise<TrafficStats> } {
  const stats: TrafficStats = { statements: 0, errors: 0, slow: 0, latencies: [], messages: [] };
  const pending = new Set<Promise<void>>();
  const timers = specs.map((spec) =>
    setInterval(
      () => {
        const started = performance.now();
        const work = db
          .query(spec.sql)
          .then(
            () => undefined,
            (error: unknown) => {
              stats.errors++;
              if (stats.messages.length < 5) stats.messages.push((error as Error).message);
            },
          )
          .finally(() => {
            const ms = performance.now() - started;
            stats.statements++;
            stats.latencies.push(ms);
            if (ms > maxWaitMs) stats.slow++;
            pending.delete(work);
          });
        pending.add(work);
      },
      Math.max(1, Math.round(1000 / spec.rate)),
    ),
  );
  return {
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.all([...pending]);
      return stats;
    },
  };
}
