import type { Adapter } from "../adapters/types.js";
import type { RunEvent, Store } from "../store/types.js";

/** What the executor is given (STYLE.md 5: implementations are passed in). */
export interface ExecutorDeps {
  store: Store;
  /** The adapters of this build, by kind. */
  adapters: ReadonlyArray<Adapter<unknown>>;
  /** Resolves `env:NAME` connection references. */
  env: Readonly<Record<string, string | undefined>>;
  /** Who drives the run: `pid@host`, shown to a second executor that finds a component locked. */
  holder: string;
  /** Told of every event as it is stored (progress on a terminal, JSON lines, SSE). */
  observe?: (event: RunEvent) => void;
  now?: () => Date;
}

export interface RunOptions {
  /** Steps approved on the command line (`run --approve a,b`), by `approvedBy`. */
  approve?: readonly string[];
  approvedBy?: string;
  /** At most this many steps at once (default: constraints.max_parallelism, else 4). */
  concurrency?: number;
}

/** Finds the adapter of a kind, or says which kinds this build has. */
export function adapterOf(deps: ExecutorDeps, kind: string): Adapter<unknown> {
  const adapter = deps.adapters.find((a) => a.kind === kind);
  if (!adapter) {
    throw new Error(
      `no adapter for components of kind '${kind}' in this build (available: ${deps.adapters.map((a) => a.kind).join(", ") || "none"})`,
    );
  }
  return adapter;
}
