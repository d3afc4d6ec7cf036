import type { HealthCheck } from "../../core/blueprint/schema.js";
import type { HealthCheckResult } from "../types.js";
import type { PgConnection } from "./connection.js";
import { capacity } from "./health/capacity.js";
import { connectivity } from "./health/connectivity.js";
import { dataIntegrity } from "./health/data-integrity.js";
import { functional } from "./health/functional.js";
import { performanceCheck } from "./health/performance.js";
import { type CheckOutcome, fail, resultOf } from "./health/result.js";

/**
 * Runs one health check of DESIGN.md §4 against a PostgreSQL component. Every failure, a
 * connection error or a timeout included, is a result with status `fail`, never an exception.
 */
export async function healthCheckPostgres(
  connection: PgConnection,
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
      case "data_integrity":
        outcome = await dataIntegrity(connection, check);
        break;
      case "performance":
        outcome = await performanceCheck(connection, check, baseline);
        break;
      case "functional":
        outcome = await functional(connection, check);
        break;
      case "capacity":
        outcome = await capacity(connection, check);
        break;
    }
  } catch (error) {
    outcome = fail(`${check.type} check on ${connection.describe} failed: ${(error as Error).message}`);
  }
  return resultOf(check, outcome, performance.now() - started);
}
