import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { TrafficConnection } from "../connection.js";
import { fullWeights, sameShares, showWeights } from "../route.js";
import { movedShare, WeightsParam } from "./params.js";

const Params = z.strictObject({
  weights: WeightsParam.meta({ description: "Upstream name → weight; upstreams not named get 0" }),
  previous: WeightsParam.optional().meta({
    description: "The weights before this step: what { inverse: true } sets back",
  }),
});
type Params = z.infer<typeof Params>;

/**
 * `traffic.set_weights`: splits the route's traffic between its upstreams (a canary's 10 %, a
 * rolling shift's next quarter). The router applies the whole split at once. Its undo sets
 * `previous` back, which planners take from discovery.
 */
export const setWeights = {
  name: "traffic.set_weights",
  params: Params,
  // Documented factors: a router change is simple (0.2) and undone in a second (0.1); its blast
  // radius grows with the share of requests sent somewhere new (0.1 + 0.7 × share); requests carry
  // user data through, but the router stores none (0.2).
  risk: (p: unknown) => {
    const params = p as Partial<Params>;
    return {
      complexity: 0.2,
      blast_radius: 0.1 + 0.7 * movedShare(params.weights ?? {}, params.previous),
      reversibility_difficulty: 0.1,
      data_sensitivity: 0.2,
    };
  },
  hasInverse: (p: unknown) => (p as Partial<Params>).previous !== undefined,
  describe: (p: Params) => `send traffic ${showWeights(p.weights)}`,
  inverse: (p: Params) =>
    p.previous
      ? { action: "traffic.set_weights", params: { weights: p.previous, previous: p.weights } }
      : { manual: "set the route's weights back by hand (the step did not record the previous weights)" },
  async apply(connection: TrafficConnection, p: Params) {
    const { upstreams } = await connection.router.state();
    const state = await connection.router.change({ weights: fullWeights(p.weights, upstreams) });
    return { figures: { generation: state.generation, weights: showWeights(state.weights) } };
  },
  async verify(connection: TrafficConnection, p: Params) {
    const state = await connection.router.state();
    return sameShares(state.weights, fullWeights(p.weights, state.upstreams));
  },
} satisfies ActionDef<Params, TrafficConnection>;
