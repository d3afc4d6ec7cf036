import type { Weights } from "./types.js";

/**
 * nginx's smooth weighted round-robin: deterministic, and evenly spread — weights 90/10 give
 * exactly 9 and 1 over every 10 picks, never 9 in a row then 1. The nginx router splits traffic
 * the same way, so a canary sees the same share whichever router carries it.
 */
export class WeightedRoundRobin {
  private readonly peers: Array<{ name: string; weight: number; current: number }>;

  constructor(weights: Weights) {
    // A weight of 0 is never chosen: such peers are not in the rotation at all.
    this.peers = Object.entries(weights)
      .filter(([, weight]) => weight > 0)
      .map(([name, weight]) => ({ name, weight, current: 0 }));
  }

  /**
   * The next upstream, skipping those already `tried` for this request (a retry goes to the next
   * one in the same weighted order, as nginx's `proxy_next_upstream` does); null when none is left.
   */
  pick(tried: ReadonlySet<string> = new Set()): string | null {
    let total = 0;
    let best: (typeof this.peers)[number] | undefined;
    for (const peer of this.peers) {
      if (tried.has(peer.name)) continue;
      peer.current += peer.weight;
      total += peer.weight;
      if (best === undefined || peer.current > best.current) best = peer;
    }
    if (best === undefined) return null;
    best.current -= total;
    return best.name;
  }
}
