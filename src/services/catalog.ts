import { actionRules } from "../adapters/registry.js";
import { type ActionCatalog, createCatalog } from "../core/catalog/catalog.js";

/** The actions this build knows, gathered from the adapters' registry. */
export function defaultCatalog(): ActionCatalog {
  return createCatalog(actionRules());
}
