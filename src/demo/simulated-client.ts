import { percentile as nearestRank } from "../adapters/check-result.js";
import type { Queryable } from "../adapters/postgres/client.js";

export interface ClientStats {
  reads: number;
  writes: number;
  failed: number;
  /** Latencies of every statement, ms. */
  latencies: number[];
  errors: string[];
}

/**
 * A client that keeps using the shop while the migration runs: a lookup of a random user and a
 * write to its own `client_log` table, every `intervalMs`. It measures each statement's latency and
 * counts failures, so the demo can show what the migration cost the traffic.
 */
export function startSimulatedClient(db: Queryable, intervalMs = 5): { stop(): Promise<ClientStats> } {
  const stats: ClientStats = { reads: 0, writes: 0, failed: 0, latencies: [], errors: [] };
  let running = true;
  const timed = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    try {
      await work();
      return true;
    } catch (error) {
      stats.failed++;
      if (stats.errors.length < 5) stats.errors.push((error as Error).message);
      return false;
    } finally {
      stats.latencies.push(performance.now() - started);
    }
  };
  const loop = (async () => {
    let i = 0;
    while (running) {
      i++;
      const id = 1 + ((i * 7919) % 20_000);
      if (await timed(() => db.query("SELECT id, email FROM users WHERE id = $1", [id]))) stats.reads++;
      if (await timed(() => db.query("INSERT INTO client_log (note) VALUES ($1)", [`lookup ${id}`])))
        stats.writes++;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return stats;
    },
  };
}

/** The p-th percentile (0–100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  return nearestRank(
    [...values].sort((a, b) => a - b),
    p,
  );
}
