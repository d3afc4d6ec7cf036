import { type ActionCatalog, type ActionRules, createCatalog } from "../core/catalog/catalog.js";

/**
 * The actions this build knows, gathered from the adapters. Adapters add their actions' rules to
 * this list as they are built; an action missing here is validated for shape only (MA502).
 */
const ACTIONS: readonly ActionRules[] = [];

export function defaultCatalog(): ActionCatalog {
  return createCatalog(ACTIONS);
}
