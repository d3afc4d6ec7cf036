import type { HealthCheck } from "../../core/blueprint/schema.js";
import { checkResult, fail } from "../check-result.js";
import type { HealthCheckResult } from "../types.js";
import type { HttpConnection } from "./connection.js";
import { connectivity } from "./health/connectivity.js";
import { functional } from "./health/functional.js";
import { performanceCheck } from "./health/performance.js";

/**
 * Runs one health check against an HTTP service: connectivity (a GET of the health path),
 * functional (a request with an expected status and JSON) and performance (latency percentiles
 * of N probes, against thresholds or the pre-stage baseline). A service has no checksums or
 * resources a client can read, so data_integrity and capacity fail, saying so. Every failure, an
 * unreachable service included, is a result with status `fail`, never an exception.
 */
export async function healthCheckHttp(
  connection: HttpConnection,
  check: HealthCheck,
  baseline?: HealthCheckResult,
): Promise<HealthCheckResult> {
  return checkResult(check, `${check.type} check on ${connection.describe} failed`, async () => {
    switch (check.type) {
      case "connectivity":
        return connectivity(connection, check);
      case "functional":
        return functional(connection, check);
      case "performance":
        return performanceCheck(connection, check, baseline);
      case "data_integrity":
      case "capacity":
        return fail(
          `the http adapter runs connectivity, functional and performance checks, not ${check.type}; ` +
            "check the data on the database component behind the service",
        );
    }
  });
}
