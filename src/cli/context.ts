import type { Adapter } from "../adapters/types.js";
import type { ActionCatalog } from "../core/catalog/catalog.js";
import type { OpenRuntime } from "../services/runtime.js";

/** What every command gets: where to write, how to exit, and the shared services. */
export interface CliContext {
  out(text: string): void;
  err(text: string): void;
  exit(code: number): void;
  catalog: ActionCatalog;
  /** The adapters of this build. */
  adapters: ReadonlyArray<Adapter<unknown>>;
  /** Opens the store and adapters, for the commands that run blueprints. */
  openRuntime: OpenRuntime;
  env: Readonly<Record<string, string | undefined>>;
  /** The terminal, when stdout is one: for the live status line of a run. */
  terminal?: { write(text: string): void };
  /** Asks the person a yes/no question on the terminal; absent when there is no terminal to ask. */
  confirm?(question: string): Promise<boolean>;
}
