import { resolve } from "node:path";
import { z } from "zod";
import type { Component } from "../../core/blueprint/schema.js";
import type { Connected } from "../types.js";

/** A `shell` component: where its commands run and with what environment. Nothing is opened. */
export interface ShellConnection {
  componentId: string;
  /** The directory commands run in, unless a step gives its own `cwd` (relative to this one). */
  cwd: string;
  /** The environment commands inherit: the one the executor was given, then `options.env`. */
  env: Readonly<Record<string, string | undefined>>;
  /** The command whose output fingerprints the component (`options.snapshot_argv`). */
  snapshotArgv?: readonly string[];
  describe: string;
}

const ShellOptions = z.looseObject({
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
  snapshot_argv: z.array(z.string()).min(1).optional(),
});

/** "Connects" to a shell component: checks its options; commands run where it says. */
export async function connectShell(
  component: Component,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Connected<ShellConnection>> {
  const options = ShellOptions.safeParse(component.options ?? {});
  if (!options.success) {
    const issue = options.error.issues[0];
    throw new Error(`component '${component.id}': options.${issue?.path.join(".")}: ${issue?.message}`);
  }
  const cwd = resolve(options.data.cwd ?? ".");
  const connection: ShellConnection = {
    componentId: component.id,
    cwd,
    // PATH from this process when the env given has none, so that `echo` is found.
    env: { PATH: process.env.PATH, ...env, ...options.data.env },
    ...(options.data.snapshot_argv ? { snapshotArgv: options.data.snapshot_argv } : {}),
    describe: `shell in ${cwd}`,
  };
  return { connection, describe: connection.describe, close: async () => undefined };
}
