import type { ActionCatalog } from "../core/catalog/catalog.js";

/** What every command gets: where to write, how to exit, and the shared services. */
export interface CliContext {
  out(text: string): void;
  err(text: string): void;
  exit(code: number): void;
  catalog: ActionCatalog;
}
