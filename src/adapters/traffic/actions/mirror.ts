import { z } from "zod";
import { parseDuration } from "../../../core/blueprint/duration.js";
import { Duration } from "../../../core/blueprint/schema.js";
import { NeedsDecisionError } from "../../needs-decision.js";
import type { ActionDef, StepContext } from "../../types.js";
import type { TrafficConnection } from "../connection.js";
import { waitFor } from "./wait.js";

const Name = z.string().regex(/^[A-Za-z0-9_-]+$/, { error: "expected an upstream name" });

const Params = z.strictObject({
  to: Name.nullable().meta({
    description: "The upstream that gets a copy of requests; null turns the mirror off",
  }),
  percent: z.int().min(1).max(100).default(100).meta({ description: "The share of requests copied (100)" }),
  ignore_fields: z
    .array(z.string())
    .optional()
    .meta({ description: "Top-level JSON keys left out of the comparison (a version field)" }),
  duration: Duration.default("30s").meta({ description: "How long requests are copied and compared (30s)" }),
  max_mismatch_rate: z.number().min(0).max(1).default(0.01),
  min_compared: z.int().min(1).default(20).meta({ description: "Fewer comparisons than this: inconclusive" }),
  keep: z
    .boolean()
    .default(false)
    .meta({ description: "Leave the mirror on after the step (off unless true)" }),
});
type Params = z.infer<typeof Params>;

class MirrorMismatchError extends Error {
  readonly changedNothing = true as const;
}

/**
 * `traffic.mirror`: shadow traffic. Copies `percent` of the route's requests to `to` (whose
 * answers are dropped: clients always get the primary's), for `duration`, and compares the
 * answers: status and JSON body (less `ignore_fields`) on the embedded router, status on nginx.
 * Fails when the mismatch rate exceeds `max_mismatch_rate`; asks a person when fewer than
 * `min_compared` requests were compared. The mirror is turned off at the end unless `keep`.
 * `to: null` turns a kept mirror off: that is also its undo.
 */
export const mirror = {
  name: "traffic.mirror",
  params: Params,
  // Documented factors: the copies reach the new version only, clients never see its answers
  // (blast radius 0.2); the new version does see real requests, writes included (data 0.4).
  risk: () => ({ complexity: 0.3, blast_radius: 0.2, reversibility_difficulty: 0.1, data_sensitivity: 0.4 }),
  hasInverse: () => true,
  describe: (p: Params) =>
    p.to === null
      ? "turn the mirror off"
      : `copy ${p.percent}% of requests to ${p.to} for ${p.duration} and compare the answers (at most ${(p.max_mismatch_rate * 100).toFixed(1)}% may differ)`,
  inverse: () => ({ action: "traffic.mirror", params: { to: null } }),
  async apply(connection: TrafficConnection, p: Params, context: StepContext) {
    const router = connection.router;
    if (p.to === null) {
      const state = await router.change({ mirror: null });
      return { figures: { generation: state.generation, mirror: "off" } };
    }
    const started = Date.now();
    await router.change({
      mirror: {
        to: p.to,
        percent: p.percent,
        ...(p.ignore_fields ? { ignore_fields: p.ignore_fields } : {}),
      },
    });
    let stats: Awaited<ReturnType<typeof router.stats>>;
    try {
      await waitFor(parseDuration(p.duration) ?? 30_000, context.signal, "the shadow comparison");
      stats = await router.stats({ since: started, until: Date.now() });
    } finally {
      if (!p.keep) await router.change({ mirror: null });
    }
    const m = stats.mirror;
    const figures = {
      compared: m.compared,
      mismatched: m.mismatched,
      mirror_errors: m.mirror_errors,
      mismatch_rate: m.mismatch_rate,
      mirror: p.keep ? "on" : "off",
    };
    const rate = m.mismatch_rate ?? 0;
    context.log(
      `shadow: ${m.compared} compared, ${m.mismatched} differed (${(rate * 100).toFixed(1)}%)${m.samples.length ? `, e.g. ${m.samples.map((s) => `${s.path || "a request"}: ${s.primary_status} vs ${s.mirror_status} (${s.reason})`).join("; ")}` : ""}`,
    );
    if (m.compared < p.min_compared) {
      throw new NeedsDecisionError(
        `shadow comparison inconclusive: ${m.compared} requests compared, ${p.min_compared} needed; approve the step to go on, or roll the run back`,
        figures,
      );
    }
    if (rate > p.max_mismatch_rate) {
      throw new MirrorMismatchError(
        `shadow comparison failed: ${m.mismatched} of ${m.compared} answers of ${p.to} differed (${(rate * 100).toFixed(1)}%, at most ${(p.max_mismatch_rate * 100).toFixed(1)}% allowed)`,
      );
    }
    return { figures };
  },
  async verify(connection: TrafficConnection, p: Params) {
    const state = await connection.router.state();
    if (p.to === null || !p.keep) return state.mirror === null;
    return state.mirror?.to === p.to;
  },
} satisfies ActionDef<Params, TrafficConnection>;
