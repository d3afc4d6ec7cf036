import type { Adapter, Connected, Snapshot } from "../adapters/types.js";
import type { Blueprint, Component } from "../core/blueprint/schema.js";
import type { BlueprintAnalysis } from "../core/validate.js";
import type { RunRecord } from "../store/types.js";
import { adapterOf, type ExecutorDeps } from "./deps.js";
import { Journal } from "./journal.js";
import { assertRunnable } from "./runnable.js";

/** A live component: its declaration, its adapter, its connection. */
export interface LiveComponent {
  component: Component;
  adapter: Adapter<unknown>;
  connected: Connected<unknown>;
}

/** Everything one process holds while it drives a run. */
export interface RunSession {
  deps: ExecutorDeps;
  run: RunRecord;
  blueprint: Blueprint;
  analysis: BlueprintAnalysis;
  journal: Journal;
  components: Map<string, LiveComponent>;
  /** Aborted to pause in-flight steps (rollback protocol, step 1). */
  abort: AbortController;
  release: Array<() => Promise<void>>;
}

/**
 * Opens a session on a run: validates its blueprint again (the core has the last word), takes
 * each component's lock, and connects. A component already held by another run fails here, with
 * the holder named, before anything is touched.
 */
export async function openSession(
  deps: ExecutorDeps,
  run: RunRecord,
  blueprint: Blueprint,
): Promise<RunSession> {
  const analysis = assertRunnable(blueprint, deps.adapters);
  const session: RunSession = {
    deps,
    run,
    blueprint,
    analysis,
    journal: new Journal(deps.store, run.id, deps.observe),
    components: new Map(),
    abort: new AbortController(),
    release: [],
  };
  try {
    for (const component of usedComponents(analysis)) {
      const adapter = adapterOf(deps, component.kind);
      // constraints.lock_timeout is the blueprint's default; a component's own option wins.
      const lockTimeout = blueprint.constraints?.lock_timeout;
      const options = { ...(lockTimeout ? { lock_timeout: lockTimeout } : {}), ...component.options };
      const connected = await adapter.connect({ ...component, options }, deps.env);
      session.release.push(() => connected.close());
      // The run id first: PostgreSQL keeps only 63 bytes of an advisory lock's application_name.
      const unlock = await adapter.lock(connected.connection, `run ${run.id}, ${deps.holder}`);
      session.release.unshift(unlock);
      session.components.set(component.id, { component, adapter, connected });
    }
  } catch (error) {
    await closeSession(session);
    throw error;
  }
  return session;
}

/** Releases the locks and closes the connections. */
export async function closeSession(session: RunSession): Promise<void> {
  for (const release of session.release.splice(0)) {
    await release().catch(() => undefined);
  }
}

/** The components that steps or health checks use, in declaration order (target state last). */
function usedComponents(analysis: BlueprintAnalysis): Component[] {
  const used = new Set<string>();
  for (const ref of analysis.steps) used.add(ref.step.component);
  for (const phase of analysis.blueprint.phases)
    for (const c of phase.health_checks ?? []) used.add(c.component);
  return [...analysis.components.values()].filter((c) => used.has(c.id));
}

/** Snapshots every live component: the state a rollback must restore. */
export async function snapshotAll(session: RunSession): Promise<Record<string, Snapshot>> {
  const out: Record<string, Snapshot> = {};
  for (const [id, live] of session.components)
    out[id] = await live.adapter.snapshot(live.connected.connection, id);
  return out;
}

/** The components whose snapshots differ, with what differs. */
export function compareSnapshots(
  before: Record<string, Snapshot>,
  after: Record<string, Snapshot>,
): { component: string; fingerprint: boolean; tables: string[] }[] {
  const differences = [];
  for (const [id, b] of Object.entries(before)) {
    const a = after[id];
    if (!a) continue;
    const tables = [...new Set([...Object.keys(b.checksums), ...Object.keys(a.checksums)])].filter(
      (t) => b.checksums[t] !== a.checksums[t],
    );
    if (b.fingerprint !== a.fingerprint || tables.length) {
      differences.push({ component: id, fingerprint: b.fingerprint !== a.fingerprint, tables });
    }
  }
  return differences;
}
