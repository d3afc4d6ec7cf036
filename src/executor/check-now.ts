import { failedResult } from "../adapters/check-result.js";
import type { HealthCheckResult } from "../adapters/types.js";
import type { Blueprint } from "../core/blueprint/schema.js";
import { adapterOf, type ExecutorDeps } from "./deps.js";

/**
 * Runs a blueprint's health checks of one stage against the live components, outside any run
 * (`migration-architect check FILE --stage pre`). Read-only: nothing is stored or changed.
 */
export async function checkNow(
  deps: Pick<ExecutorDeps, "adapters" | "env">,
  blueprint: Blueprint,
  stage: "pre" | "intra" | "post",
): Promise<HealthCheckResult[]> {
  const components = new Map(
    [...blueprint.source_state.components, ...blueprint.target_state.components].map((c) => [c.id, c]),
  );
  const checks = blueprint.phases.flatMap((p) => (p.health_checks ?? []).filter((c) => c.stage === stage));
  const results: HealthCheckResult[] = [];
  const open = new Map<string, { connection: unknown; close(): Promise<void> }>();
  try {
    for (const check of checks) {
      const component = components.get(check.component);
      if (!component) continue;
      const adapter = adapterOf(deps as ExecutorDeps, component.kind);
      let connected = open.get(component.id);
      if (!connected) {
        try {
          connected = await adapter.connect(component, deps.env);
        } catch (error) {
          results.push(failedResult(check, `cannot connect: ${(error as Error).message}`));
          continue;
        }
        open.set(component.id, connected);
      }
      results.push(await adapter.healthCheck(connected.connection, check));
    }
  } finally {
    for (const c of open.values()) await c.close().catch(() => undefined);
  }
  return results;
}
