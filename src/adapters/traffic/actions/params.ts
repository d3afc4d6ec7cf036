import { z } from "zod";

/** Upstream name → integer weight ≥ 0. */
export const WeightsParam = z
  .record(z.string().regex(/^[A-Za-z0-9_-]+$/, { error: "expected an upstream name" }), z.int().min(0))
  .refine((w) => Object.keys(w).length > 0, { error: "name at least one upstream" });

/** Risk of moving traffic: the share of requests newly sent somewhere else (0–1). */
export function movedShare(
  weights: Record<string, number>,
  previous: Record<string, number> | undefined,
): number {
  if (!previous) return 1;
  const share = (w: Record<string, number>, name: string) => {
    const sum = Object.values(w).reduce((s, x) => s + x, 0);
    return sum > 0 ? (w[name] ?? 0) / sum : 0;
  };
  let moved = 0;
  for (const name of new Set([...Object.keys(weights), ...Object.keys(previous)]))
    moved += Math.max(0, share(weights, name) - share(previous, name));
  return Math.min(1, moved);
}
