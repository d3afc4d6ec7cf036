import type { Adapter } from "../adapters/types.js";
import type { Blueprint, Component } from "../core/blueprint/schema.js";

export interface ComponentDiscovery {
  /** Discovery snapshots by component id: what `validateBlueprint({ discovery })` takes. */
  discovery: Map<string, unknown>;
  /** Components that could not be reached or read, with why (the message is redacted). */
  failures: { component: string; message: string }[];
  /** How long each component's discovery took, in milliseconds (connection included). */
  timings: Record<string, number>;
}

/**
 * Connects to the components of these kinds that the blueprint's steps use, discovers each
 * (read-only) and closes the connection. A component that fails is listed in `failures`; the
 * others are still discovered.
 */
export async function discoverComponents(
  blueprint: Blueprint,
  adapters: ReadonlyArray<Adapter<unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  kinds: readonly string[] = ["postgres"],
): Promise<ComponentDiscovery> {
  const used = new Set(blueprint.phases.flatMap((phase) => phase.steps.map((step) => step.component)));
  const components = new Map<string, Component>();
  for (const state of [blueprint.source_state, blueprint.target_state]) {
    for (const component of state.components) {
      if (used.has(component.id) && kinds.includes(component.kind) && !components.has(component.id)) {
        components.set(component.id, component);
      }
    }
  }
  const out: ComponentDiscovery = { discovery: new Map(), failures: [], timings: {} };
  for (const component of components.values()) {
    const adapter = adapters.find((a) => a.kind === component.kind);
    if (!adapter) {
      out.failures.push({ component: component.id, message: `no ${component.kind} adapter in this build` });
      continue;
    }
    const started = performance.now();
    try {
      const connected = await adapter.connect(component, env);
      try {
        out.discovery.set(component.id, await adapter.discover(connected.connection));
      } finally {
        await connected.close();
      }
    } catch (error) {
      out.failures.push({ component: component.id, message: (error as Error)?.message ?? String(error) });
    }
    out.timings[component.id] = Math.round(performance.now() - started);
  }
  return out;
}
