import { describe, expect, it } from "vitest";
import { WeightedRoundRobin } from "./weighted-round-robin.js";

const count = (picks: Array<string | null>) => {
  const counts: Record<string, number> = {};
  for (const p of picks) counts[String(p)] = (counts[String(p)] ?? 0) + 1;
  return counts;
};

describe("WeightedRoundRobin", () => {
  it("gives 90/10 exactly over every 10 picks", () => {
    const wrr = new WeightedRoundRobin({ v1: 90, v2: 10 });
    for (let round = 0; round < 10; round++) {
      const picks = Array.from({ length: 10 }, () => wrr.pick());
      expect(count(picks)).toEqual({ v1: 9, v2: 1 });
    }
  });

  it("spreads picks smoothly, as nginx does", () => {
    const wrr = new WeightedRoundRobin({ a: 5, b: 1, c: 1 });
    expect(Array.from({ length: 7 }, () => wrr.pick())).toEqual(["a", "a", "b", "a", "c", "a", "a"]);
  });

  it("never picks a weight of 0", () => {
    const wrr = new WeightedRoundRobin({ v1: 0, v2: 3, v3: 0 });
    expect(count(Array.from({ length: 50 }, () => wrr.pick()))).toEqual({ v2: 50 });
  });

  it("skips upstreams already tried, and says when none is left", () => {
    const wrr = new WeightedRoundRobin({ v1: 50, v2: 50, v3: 0 });
    expect(wrr.pick(new Set(["v1"]))).toBe("v2");
    expect(wrr.pick(new Set(["v2"]))).toBe("v1");
    expect(wrr.pick(new Set(["v1", "v2"]))).toBeNull();
  });
});
