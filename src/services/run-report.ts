import type { Blueprint } from "../core/blueprint/schema.js";
import { buildReport, type RunReport } from "../monitor/report.js";
import type { RunRecord, Store } from "../store/types.js";

/** A run's report, from what the store holds of it: `report RUN`, MCP `get_report` and `report://`. */
export async function reportOf(store: Store, run: RunRecord): Promise<RunReport> {
  return buildReport({
    run,
    blueprint: (await store.getBlueprint(run.blueprint_hash))?.content as Blueprint,
    events: await store.events(run.id),
    steps: await store.getStepStates(run.id),
    checks: await store.getHealthChecks(run.id),
    approvals: await store.getApprovals(run.id),
  });
}
