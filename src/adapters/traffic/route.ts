/**
 * The route a traffic component controls, as both routers (the embedded proxy and nginx) describe
 * it: named upstreams (versions of a service), integer weights, and an optional mirror.
 */
import type { MirrorSpec, RouterState, RouterStats, Weights } from "../../router/types.js";

// The route's shapes are the embedded router's contract (src/router/types.ts); nginx keeps it too.
export type { MirrorSpec, MirrorStats, UpstreamStats, Weights } from "../../router/types.js";
export type RouteState = RouterState;
export type RouteStats = RouterStats;

/** A router behind a traffic component: how the adapter reads and changes the route. */
export interface TrafficRouter {
  /** `embedded` or `nginx`. */
  readonly kind: "embedded" | "nginx";
  /** Safe to print. */
  readonly describe: string;
  /** Where clients reach the route. */
  readonly publicUrl: string;
  state(): Promise<RouteState>;
  /**
   * Changes weights and mirror at once; resolves once the router serves by the new state (for
   * nginx: the config is checked with `nginx -t`, reloaded gracefully, and the reload seen).
   */
  change(next: { weights?: Weights; mirror?: MirrorSpec | null }): Promise<RouteState>;
  stats(window: { since: number; until?: number }): Promise<RouteStats>;
  close(): Promise<void>;
}

/** Every upstream's weight, the ones not named at 0. */
export function fullWeights(weights: Weights, upstreams: Record<string, string>): Weights {
  return { ...Object.fromEntries(Object.keys(upstreams).map((n) => [n, 0])), ...weights };
}

/** "v1 90 / v2 10" */
export function showWeights(weights: Weights): string {
  return Object.entries(weights)
    .map(([name, weight]) => `${name} ${weight}`)
    .join(" / ");
}

/** Whether two weightings send the same shares to each upstream (90/10 equals 9/1). */
export function sameShares(a: Weights, b: Weights): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  const sumA = Object.values(a).reduce((s, w) => s + w, 0);
  const sumB = Object.values(b).reduce((s, w) => s + w, 0);
  if (sumA === 0 || sumB === 0) return sumA === sumB;
  for (const name of names) {
    if (Math.abs((a[name] ?? 0) / sumA - (b[name] ?? 0) / sumB) > 1e-9) return false;
  }
  return true;
}
