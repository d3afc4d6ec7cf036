import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { TrafficConnection } from "../connection.js";
import { fullWeights } from "../route.js";

const Name = z.string().regex(/^[A-Za-z0-9_-]+$/, { error: "expected an upstream name" });

const Params = z.strictObject({
  to: Name.meta({ description: "The upstream that takes all the traffic" }),
  from: Name.optional().meta({
    description: "The upstream that had it: what { inverse: true } switches back to",
  }),
});
type Params = z.infer<typeof Params>;

/**
 * `traffic.switch`: blue-green's cut-over, every request to `to` in one change of the router (the
 * old version stays up, ready to be switched back to). Its undo switches back to `from`.
 */
export const switchTraffic = {
  name: "traffic.switch",
  params: Params,
  // Documented factors: simple (0.2), all traffic moves (blast radius 0.8), undone by switching
  // back in a second (0.1), no data stored by the router (0.2).
  risk: () => ({ complexity: 0.2, blast_radius: 0.8, reversibility_difficulty: 0.1, data_sensitivity: 0.2 }),
  hasInverse: (p: unknown) => (p as Partial<Params>).from !== undefined,
  describe: (p: Params) => `switch all traffic to ${p.to}${p.from ? ` (from ${p.from})` : ""}`,
  inverse: (p: Params) =>
    p.from
      ? { action: "traffic.switch", params: { to: p.from, from: p.to } }
      : { manual: "switch the route back by hand (the step did not name the upstream it switched from)" },
  async apply(connection: TrafficConnection, p: Params) {
    const { upstreams } = await connection.router.state();
    const state = await connection.router.change({ weights: fullWeights({ [p.to]: 100 }, upstreams) });
    return { figures: { generation: state.generation, serving: p.to } };
  },
  async verify(connection: TrafficConnection, p: Params) {
    const state = await connection.router.state();
    return Object.entries(state.weights).every(([name, weight]) =>
      name === p.to ? weight > 0 : weight === 0,
    );
  },
} satisfies ActionDef<Params, TrafficConnection>;
