import { createHash } from "node:crypto";
import type { Snapshot } from "../types.js";
import type { ShellConnection } from "./connection.js";
import { runIn } from "./exec.js";
import { describeEnd, showArgv } from "./run-command.js";

const SNAPSHOT_TIMEOUT_MS = 60_000;

/**
 * A shell component's state, as far as a command can tell: the sha256 of the standard output of
 * `options.snapshot_argv` (a command that prints the deployed version, a config's hash, …), or an
 * empty fingerprint when there is none. No per-table checksums.
 */
export async function snapshotShell(connection: ShellConnection, componentId: string): Promise<Snapshot> {
  let fingerprint = "";
  if (connection.snapshotArgv) {
    const argv = connection.snapshotArgv;
    const ran = await runIn(connection, {}, argv, SNAPSHOT_TIMEOUT_MS, undefined, { keepStdout: true });
    if (ran.exitCode !== 0) {
      throw new Error(
        `snapshot of '${componentId}': ${showArgv(argv)} ${describeEnd(ran, SNAPSHOT_TIMEOUT_MS)}`,
      );
    }
    fingerprint = `sha256:${createHash("sha256")
      .update(ran.stdout ?? "")
      .digest("hex")}`;
  }
  return { component: componentId, fingerprint, checksums: {}, taken_at: new Date().toISOString() };
}
