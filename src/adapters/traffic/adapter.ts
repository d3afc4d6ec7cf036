import { inProcessLocks } from "../in-process-locks.js";
import type { ActionDef, Adapter } from "../types.js";
import { analyze } from "./actions/analyze.js";
import { mirror } from "./actions/mirror.js";
import { setWeights } from "./actions/set-weights.js";
import { switchTraffic } from "./actions/switch.js";
import { connectTraffic, type TrafficConnection } from "./connection.js";
import { discoverTraffic } from "./discover.js";
import { healthCheckTraffic } from "./health-check.js";
import { snapshotTraffic } from "./snapshot.js";

/**
 * The `traffic` adapter: a route in front of a service's versions, served by the embedded proxy
 * or by nginx. Actions move traffic (`set_weights`, `switch`), copy it (`mirror`) and judge a
 * canary (`analyze`); checks are HTTP checks through the router or to one upstream.
 */
export function createTrafficAdapter(): Adapter<TrafficConnection> {
  return {
    kind: "traffic",
    actions: [setWeights, switchTraffic, mirror, analyze] as unknown as ReadonlyArray<
      ActionDef<Record<string, unknown>, TrafficConnection>
    >,
    connect: connectTraffic,
    discover: discoverTraffic,
    healthCheck: healthCheckTraffic,
    snapshot: snapshotTraffic,
    lock: inProcessLocks("traffic"),
  };
}

export const trafficAdapter = createTrafficAdapter();
