import type { z } from "zod";
import type { Component } from "../blueprint/schema.js";

/** The four risk factors, each 0.0–1.0. */
export interface RiskValues {
  complexity: number;
  blast_radius: number;
  reversibility_difficulty: number;
  data_sensitivity: number;
}

/** What an action's rules may look at: the step's component and, when discovered, its state. */
export interface ActionContext {
  component?: Component;
  /** The adapter's discovery snapshot of the component, when one is at hand. */
  discovery?: unknown;
}

/**
 * The pure part of an action of the catalogue (DESIGN.md §4): what the core needs to validate a
 * step and score its risk. Adapters implement it next to `apply` and `verify`.
 */
export interface ActionRules {
  /** `<adapter>.<action>` */
  name: string;
  /** The action's params. */
  params: z.ZodType;
  /** Derived risk factors for these params; a blueprint can raise them, never lower them. */
  risk(params: unknown, context: ActionContext): RiskValues;
  /** Whether `{ inverse: true }` gives an automatic undo for these params. */
  hasInverse(params: unknown): boolean;
}

/** The port through which the core reaches the action catalogue. */
export interface ActionCatalog {
  /** True when the adapter kind (`postgres`, `shell`, …) is part of this build. */
  hasAdapter(kind: string): boolean;
  get(action: string): ActionRules | undefined;
}

/** Builds a catalogue from a list of action rules. */
export function createCatalog(actions: readonly ActionRules[]): ActionCatalog {
  const byName = new Map(actions.map((a) => [a.name, a]));
  const adapters = new Set(actions.map((a) => adapterOf(a.name)));
  return {
    hasAdapter: (kind) => adapters.has(kind),
    get: (action) => byName.get(action),
  };
}

/** `postgres.add_column` → `postgres` */
export function adapterOf(action: string): string {
  const dot = action.indexOf(".");
  return dot === -1 ? action : action.slice(0, dot);
}
