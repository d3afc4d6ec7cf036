import { createHash } from "node:crypto";
import type { Snapshot } from "../types.js";
import type { HttpConnection } from "./connection.js";
import { excerpt, send } from "./send.js";

/**
 * An HTTP service's state, as far as its version endpoint tells: the sha256 of that endpoint's
 * body, so that a rollback can be compared with the state before. A service that cannot be read
 * fails the snapshot: a run cannot promise a rollback to a state it did not see.
 */
export async function snapshotHttp(connection: HttpConnection, componentId: string): Promise<Snapshot> {
  const where = `snapshot of '${componentId}'`;
  const hint = `check that the service is up and that options.version_path (${connection.versionPath}) is right`;
  let answer: Awaited<ReturnType<typeof send>>;
  try {
    answer = await send(connection, {
      method: "GET",
      path: connection.versionPath,
      timeoutMs: connection.timeoutMs,
    });
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}; ${hint}`);
  }
  if (answer.status < 200 || answer.status >= 300) {
    throw new Error(
      `${where}: GET ${answer.url} answered ${answer.status}: ${excerpt(answer.text)}; ${hint}`,
    );
  }
  const fingerprint = `sha256:${createHash("sha256").update(answer.text).digest("hex")}`;
  return { component: componentId, fingerprint, checksums: {}, taken_at: new Date().toISOString() };
}
