import type { Component } from "../../core/blueprint/schema.js";
import { resolveConnection } from "../connection-string.js";
import { acquirePglite, type SharedPglite } from "./pglite-shared.js";

/**
 * Keeps the embedded (PGlite file) databases of these components open in this process until the
 * returned function lets them go. A long-lived server (MCP) reads its system afresh on every call:
 * opening a PGlite directory costs about 200 ms, reading its schema about 40 ms. Held, every
 * connection shares the open instance. PGlite serves one process anyway: while the server runs,
 * its embedded databases are its own. PostgreSQL components are left alone (a connection is cheap).
 */
export async function holdEmbedded(
  components: readonly Component[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<() => Promise<void>> {
  const held: SharedPglite[] = [];
  try {
    for (const component of components) {
      if (component.kind !== "postgres") continue;
      const target = resolveConnection(component.connection, env);
      if (target.kind === "pglite-file") held.push(await acquirePglite({ kind: "file", path: target.path }));
    }
  } catch (error) {
    for (const h of held) await h.release();
    throw error;
  }
  return async () => {
    for (const h of held) await h.release();
  };
}
