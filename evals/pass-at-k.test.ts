import { describe, expect, it } from "vitest";
import { passAtK, passHatK } from "./pass-at-k.js";

/** C(n, k) directly, for small n: the reference the product forms are checked against. */
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe("pass@k and pass^k", () => {
  it("match the binomial formulas for every n ≤ 10", () => {
    for (let n = 1; n <= 10; n++)
      for (let c = 0; c <= n; c++)
        for (let k = 1; k <= n; k++) {
          expect(passAtK(n, c, k)).toBeCloseTo(1 - choose(n - c, k) / choose(n, k), 12);
          expect(passHatK(n, c, k)).toBeCloseTo(choose(c, k) / choose(n, k), 12);
        }
  });

  it("are the pass rate at k = 1, and bound it at k = n", () => {
    expect(passAtK(5, 2, 1)).toBeCloseTo(0.4);
    expect(passHatK(5, 2, 1)).toBeCloseTo(0.4);
    expect(passAtK(3, 1, 3)).toBe(1);
    expect(passHatK(3, 2, 3)).toBe(0);
    expect(passHatK(3, 3, 3)).toBe(1);
    expect(passAtK(4, 0, 2)).toBe(0);
  });

  it("refuse what is not a count", () => {
    expect(() => passAtK(3, 4, 1)).toThrow(/0 ≤ c ≤ n/);
    expect(() => passAtK(3, 1, 4)).toThrow(/k must be between 1 and n=3/);
  });
});
