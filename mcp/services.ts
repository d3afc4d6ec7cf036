import { hostname } from "node:os";
import type { Adapter } from "../src/adapters/types.js";
import { DEFAULTS } from "../src/core/blueprint/effective.js";
import type { Component } from "../src/core/blueprint/schema.js";
import type { ActionCatalog } from "../src/core/catalog/catalog.js";
import type { Planner } from "../src/planner/types.js";
import { BlueprintShelf } from "../src/services/blueprint-shelf.js";
import { RunService, type RunView } from "../src/services/run-service.js";
import { keptOpen, SharedStore } from "../src/services/shared-store.js";
import { openSystem } from "../src/services/system.js";
import { openStore } from "../src/store/open.js";
import type { RunEvent, Store } from "../src/store/types.js";
import type { ToolServices } from "../tools/tool.js";

export interface McpServicesOptions {
  components: readonly Component[];
  adapters: ReadonlyArray<Adapter<unknown>>;
  env: Readonly<Record<string, string | undefined>>;
  catalog: ActionCatalog;
  planner: Planner;
  /** Where run state lives: a PGlite directory, or a PostgreSQL URL (`MA_STATE_URL`). */
  state: { stateDir?: string; stateUrl?: string };
  /** Opens the store another way (tests: one in memory). */
  openStore?: () => Promise<Store>;
  /** The highest approval threshold a blueprint may set (default 0.7, the core's default). */
  approvalThreshold?: number;
  /** Told of every event of every run (the server's log on stderr). */
  log?: (event: RunEvent) => void;
  /** Told when a run rests waiting for the person, with the approval codes (the server's log). */
  onWaiting?: (view: RunView) => void;
}

/** The services one server process shares across its connections and sessions. */
export function openMcpServices(options: McpServicesOptions): ToolServices & { runs: RunService } {
  const open = () => openStore({ stateDir: options.state.stateDir, url: options.state.stateUrl });
  // A store in memory would lose every run when the last call lets go of it: kept open instead.
  const inMemory = options.state.stateDir === ":memory:" && !options.state.stateUrl;
  const store = new SharedStore(options.openStore ?? (inMemory ? keptOpen(open).opener : open));
  return {
    system: openSystem(options.components, options.adapters, options.env),
    catalog: options.catalog,
    approvalCeiling: options.approvalThreshold ?? DEFAULTS.requireApprovalAbove,
    shelf: new BlueprintShelf(),
    planner: options.planner,
    runs: new RunService({
      store,
      deps: { adapters: options.adapters, env: options.env, holder: `mcp pid ${process.pid}@${hostname()}` },
      log: options.log,
      onWaiting: options.onWaiting,
    }),
  };
}
