import type { ActionRules } from "../core/catalog/catalog.js";
import { httpAdapter } from "./http/adapter.js";
import { kubernetesAdapter } from "./kubernetes/adapter.js";
import { postgresAdapter } from "./postgres/adapter.js";
import { shellAdapter } from "./shell/adapter.js";
import { trafficAdapter } from "./traffic/adapter.js";
import type { Adapter } from "./types.js";

/** The adapters of this build, one per component kind. */
export const adapters: ReadonlyArray<Adapter<unknown>> = [
  postgresAdapter,
  shellAdapter,
  httpAdapter,
  trafficAdapter as Adapter<unknown>,
  kubernetesAdapter,
];

/** The adapter for a component kind (`postgres`, `traffic`, …), or undefined when this build has none. */
export function adapterFor(kind: string): Adapter<unknown> | undefined {
  return adapters.find((a) => a.kind === kind);
}

/**
 * The rules of every action of every adapter (name, params, risk, hasInverse): what the core's
 * catalogue needs (`createCatalog(actionRules())`), without the I/O half of the actions.
 */
export function actionRules(): ActionRules[] {
  return adapters.flatMap((adapter) =>
    adapter.actions.map(({ name, params, risk, hasInverse }) => ({ name, params, risk, hasInverse })),
  );
}
