import type { HealthCheck } from "../../core/blueprint/schema.js";
import { type CheckOutcome, fail, resultOf } from "../postgres/health/result.js";
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
  const started = performance.now();
  let outcome: CheckOutcome;
  try {
    switch (check.type) {
      case "connectivity":
        outcome = await connectivity(connection, check);
        break;
      case "functional":
        outcome = await functional(connection, check);
        break;
      case "performance":
        outcome = await performanceCheck(connection, check, baseline);
        break;
      case "data_integrity":
      case "capacity":
        outcome = fail(
          `the http adapter runs connectivity, functional and performance checks, not ${check.type}; ` +
            "check the data on the database component behind the service",
        );
        break;
    }
  } catch (error) {
    outcome = fail(`${check.type} check on ${connection.describe} failed: ${(error as Error).message}`);
  }
  return resultOf(check, outcome, performance.now() - started);
}
