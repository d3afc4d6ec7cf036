import type { HealthCheck } from "../../core/blueprint/schema.js";
import type { HealthCheckResult } from "../types.js";
import type { PgConnection } from "./connection.js";
import { capacity } from "./health/capacity.js";
import { connectivity } from "./health/connectivity.js";
import { dataIntegrity } from "./health/data-integrity.js";
import { functional } from "./health/functional.js";
import { performanceCheck } from "./health/performance.js";
import { checkResult } from "./health/result.js";

/**
 * Runs one health check of DESIGN.md §4 against a PostgreSQL component. Every failure, a
 * connection error or a timeout included, is a result with status `fail`, never an exception.
 */
export async function healthCheckPostgres(
  connection: PgConnection,
  check: HealthCheck,
  baseline?: HealthCheckResult,
): Promise<HealthCheckResult> {
  return checkResult(check, `${check.type} check on ${connection.describe} failed`, async () => {
    switch (check.type) {
      case "connectivity":
        return connectivity(connection, check);
      case "data_integrity":
        return dataIntegrity(connection, check);
      case "performance":
        return performanceCheck(connection, check, baseline);
      case "functional":
        return functional(connection, check);
      case "capacity":
        return capacity(connection, check);
    }
  });
}
