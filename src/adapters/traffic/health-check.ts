import type { HealthCheck } from "../../core/blueprint/schema.js";
import { failedResult } from "../check-result.js";
import { connectHttp } from "../http/connection.js";
import { healthCheckHttp } from "../http/health-check.js";
import type { HealthCheckResult } from "../types.js";
import type { TrafficConnection } from "./connection.js";

/**
 * A traffic component's checks are HTTP checks (connectivity, functional, performance; see the
 * http adapter) sent through the router — what clients get — or, with `params.upstream`, to one
 * upstream directly: green checked before it takes traffic, a canary's latency on its own.
 */
export async function healthCheckTraffic(
  connection: TrafficConnection,
  check: HealthCheck,
  baseline?: HealthCheckResult,
): Promise<HealthCheckResult> {
  const { upstream, ...params } = (check.params ?? {}) as { upstream?: unknown } & Record<string, unknown>;
  let base = connection.router.publicUrl;
  if (upstream !== undefined) {
    try {
      const state = await connection.router.state();
      const url = typeof upstream === "string" ? state.upstreams[upstream] : undefined;
      if (!url) {
        return failedResult(
          check,
          `params.upstream: no upstream ${JSON.stringify(upstream)} on this route (it has ${Object.keys(state.upstreams).join(", ")})`,
        );
      }
      base = url;
    } catch (error) {
      return failedResult(check, (error as Error).message);
    }
  }
  const http = await connectHttp({ id: check.component, kind: "http", connection: base }, {});
  return healthCheckHttp(http.connection, { ...check, params }, baseline);
}
