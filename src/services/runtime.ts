import type { ExecutorDeps } from "../executor/deps.js";

/** Where run state lives: `--state DIR` (PGlite) or `MA_STATE_URL` (PostgreSQL). */
export interface StateOptions {
  stateDir?: string;
  stateUrl?: string;
}

/** The store and adapters a command that touches runs needs, and how to let go of them. */
export interface Runtime {
  deps: ExecutorDeps;
  close(): Promise<void>;
}

export type OpenRuntime = (options: StateOptions & { observe?: ExecutorDeps["observe"] }) => Promise<Runtime>;
