import { describe, expect, it } from "vitest";
import { findCycle, formatCycle } from "./find-cycle.js";

describe("findCycle", () => {
  it("returns undefined for a DAG", () => {
    expect(findCycle([[1, 2], [2], []])).toBeUndefined();
  });

  it("names a cycle in edge order", () => {
    // 0 → 1 → 2 → 0, plus a tail 3 → 0
    expect(findCycle([[1], [2], [0], [0]])).toEqual([0, 1, 2]);
  });

  it("finds a self-loop", () => {
    expect(findCycle([[], [1]])).toEqual([1]);
  });

  it("handles a 100,000-node cycle without overflowing the stack", () => {
    const n = 100_000;
    const adjacency = Array.from({ length: n }, (_, i) => [(i + 1) % n]);
    const cycle = findCycle(adjacency);
    expect(cycle).toHaveLength(n);
    expect(cycle?.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it("formats a cycle closing on its first node", () => {
    expect(formatCycle(["a", "b", "c"])).toBe("a → b → c → a");
  });
});
