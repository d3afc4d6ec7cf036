import { createHash } from "node:crypto";
import type { Snapshot } from "../types.js";
import type { TrafficConnection } from "./connection.js";

/**
 * The route's state as a rollback must restore it: the share of traffic each upstream gets
 * (90/10 and 9/1 are the same route) and the mirror. The generation is left out: a rollback
 * writes a new one.
 */
export async function snapshotTraffic(connection: TrafficConnection, componentId: string): Promise<Snapshot> {
  const state = await connection.router.state();
  const sum = Object.values(state.weights).reduce((s, w) => s + w, 0) || 1;
  const shares = Object.fromEntries(
    Object.keys(state.weights)
      .sort()
      .map((name) => [name, Math.round(((state.weights[name] ?? 0) / sum) * 10_000) / 10_000]),
  );
  const mirror = state.mirror ? { to: state.mirror.to, percent: state.mirror.percent } : null;
  const text = JSON.stringify({ shares, mirror });
  return {
    component: componentId,
    fingerprint: `sha256:${createHash("sha256").update(text).digest("hex")}`,
    checksums: { route: text },
    taken_at: new Date().toISOString(),
  };
}
