/**
 * The unbiased estimators of a planner's reliability from n attempts of a case of which c passed
 * (Chen et al. 2021 for pass@k; Yao et al. 2024, τ-bench, for pass^k):
 *
 * - pass@k: the chance that at least one of k attempts drawn from the n passes,
 *   1 − C(n−c, k) / C(n, k);
 * - pass^k: the chance that all k drawn attempts pass, C(c, k) / C(n, k).
 *
 * Computed as products of ratios, never as factorials, so that large n stays exact enough.
 */
export function passAtK(n: number, c: number, k: number): number {
  check(n, c, k);
  if (n - c < k) return 1;
  let allFail = 1;
  for (let i = n - c + 1; i <= n; i++) allFail *= 1 - k / i;
  return 1 - allFail;
}

/** pass^k: all of k attempts drawn from the n pass. */
export function passHatK(n: number, c: number, k: number): number {
  check(n, c, k);
  if (c < k) return 0;
  let all = 1;
  for (let i = 0; i < k; i++) all *= (c - i) / (n - i);
  return all;
}

function check(n: number, c: number, k: number): void {
  if (!(Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k)) || n < 1 || c < 0 || c > n) {
    throw new RangeError(`pass@k needs whole numbers with 0 ≤ c ≤ n and n ≥ 1 (n=${n}, c=${c})`);
  }
  if (k < 1 || k > n) throw new RangeError(`k must be between 1 and n=${n}, not ${k}`);
}
