import { inProcessLocks } from "../in-process-locks.js";
import type { ActionDef, Adapter } from "../types.js";
import { connectShell, type ShellConnection } from "./connection.js";
import { shellExec } from "./exec.js";
import { healthCheckShell } from "./health-check.js";
import { snapshotShell } from "./snapshot.js";

/** Builds a `shell` adapter with its own table of in-process locks. */
export function createShellAdapter(): Adapter<ShellConnection> {
  return {
    kind: "shell",
    actions: [shellExec] as unknown as ReadonlyArray<ActionDef<Record<string, unknown>, ShellConnection>>,
    connect: connectShell,
    discover: async (connection) => ({ kind: "shell", cwd: connection.cwd }),
    healthCheck: healthCheckShell,
    snapshot: snapshotShell,
    lock: inProcessLocks("shell"),
  };
}

/** The `shell` adapter of this build: `shell.exec`, command health checks, in-process locks. */
export const shellAdapter = createShellAdapter();
