import { openMcpServices } from "../../mcp/services.js";
import { APP_SCHEMA, SMALL_SEED } from "../../src/adapters/postgres/backends.contract.js";
import { adapters } from "../../src/adapters/registry.js";
import { offlinePlanner } from "../../src/planner/offline/offline-planner.js";
import { defaultCatalog } from "../../src/services/catalog.js";
import { keptOpen } from "../../src/services/shared-store.js";
import { openStore } from "../../src/store/open.js";
import { type PlannerDb, plannerDb } from "./planner-db.js";

/** The MCP services over a fresh shop database (PGlite), run state in memory, the offline planner. */
export async function mcpShop(approvalThreshold?: number): Promise<{
  db: PlannerDb;
  services: ReturnType<typeof openMcpServices>;
  close(): Promise<void>;
}> {
  const db = await plannerDb([APP_SCHEMA, SMALL_SEED]);
  const memory = keptOpen(() => openStore({ stateDir: ":memory:" }));
  const services = openMcpServices({
    components: db.system.components,
    adapters,
    env: {},
    catalog: defaultCatalog(),
    planner: offlinePlanner(),
    state: {},
    openStore: memory.opener,
    approvalThreshold,
  });
  return {
    db,
    services,
    async close() {
      await services.runs.settle();
      await memory.shutdown();
      await db.close();
    },
  };
}
