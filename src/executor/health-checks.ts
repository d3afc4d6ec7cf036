import { failedResult } from "../adapters/check-result.js";
import type { HealthCheckResult } from "../adapters/types.js";
import type { HealthCheck } from "../core/blueprint/schema.js";
import type { RunSession } from "./session.js";

export type Stage = HealthCheck["stage"];

/** The checks of a stage: `intra` of one phase; `pre` and `post` of every phase. */
export function checksOf(
  session: RunSession,
  stage: Stage,
  phaseId?: string,
): { check: HealthCheck; phaseId: string }[] {
  const out: { check: HealthCheck; phaseId: string }[] = [];
  for (const phase of session.blueprint.phases) {
    if (stage === "intra" && phase.id !== phaseId) continue;
    for (const check of phase.health_checks ?? [])
      if (check.stage === stage) out.push({ check, phaseId: phase.id });
  }
  return out;
}

/**
 * Runs health checks, stores every result with its figures, and tells whether all passed.
 * Performance checks get the baseline captured at the pre stage (`baselines`, by check id).
 */
export async function runChecks(
  session: RunSession,
  checks: { check: HealthCheck; phaseId: string }[],
  label: string,
  baselines: Map<string, HealthCheckResult> = new Map(),
): Promise<{ passed: boolean; results: HealthCheckResult[] }> {
  const results: HealthCheckResult[] = [];
  for (const { check, phaseId } of checks) {
    const live = session.components.get(check.component);
    let result: HealthCheckResult;
    if (!live) {
      result = failedResult(check, `component '${check.component}' is not connected`);
    } else {
      try {
        result = await live.adapter.healthCheck(live.connected.connection, check, baselines.get(check.id));
      } catch (error) {
        // An adapter should report failures as results; an exception is a failed check all the same.
        result = failedResult(check, (error as Error).message);
      }
    }
    results.push(result);
    await session.deps.store.saveHealthCheck({
      run_id: session.run.id,
      check_id: check.id,
      stage: label,
      phase_id: phaseId,
      status: result.status,
      figures: result.figures,
      message: result.message,
      duration_ms: result.duration_ms,
      at: (session.deps.now?.() ?? new Date()).toISOString(),
    });
    await session.journal.record(
      `check.${result.status}`,
      { phase_id: phaseId, check_id: check.id },
      { stage: label, type: check.type, message: result.message, figures: result.figures },
    );
  }
  return { passed: results.every((r) => r.status === "pass"), results };
}
