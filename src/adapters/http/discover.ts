import type { HttpConnection } from "./connection.js";
import { type HttpAnswer, send } from "./send.js";

/** What discovery says of an HTTP service. */
export type HttpDiscovery =
  | {
      kind: "http";
      url: string;
      reachable: true;
      /** The `version` field of the version endpoint's JSON, else its text; null without one. */
      version: string | null;
      version_status: number | null;
      healthy: boolean;
      health_status: number | null;
    }
  | { kind: "http"; url: string; reachable: false; error: string };

/**
 * Reads the service's version and health endpoints. Never throws for a service that is down:
 * a planner must be able to say "the service does not answer" rather than stop.
 */
export async function discoverHttp(connection: HttpConnection): Promise<HttpDiscovery> {
  const get = (path: string) =>
    send(connection, { method: "GET", path, timeoutMs: connection.timeoutMs }).then(
      (answer) => ({ answer }),
      (error: Error) => ({ error: error.message }),
    );
  const [version, health] = await Promise.all([get(connection.versionPath), get(connection.healthPath)]);
  if ("error" in version && "error" in health) {
    return { kind: "http", url: connection.describe, reachable: false, error: version.error };
  }
  const versionAnswer = "answer" in version ? version.answer : undefined;
  const healthAnswer = "answer" in health ? health.answer : undefined;
  return {
    kind: "http",
    url: connection.describe,
    reachable: true,
    version: versionAnswer ? versionOf(versionAnswer) : null,
    version_status: versionAnswer?.status ?? null,
    healthy: healthAnswer !== undefined && healthAnswer.status >= 200 && healthAnswer.status < 300,
    health_status: healthAnswer?.status ?? null,
  };
}

/** `{"version": "v2"}` → "v2"; a plain-text body → its text; an error or an empty body → null. */
function versionOf(answer: HttpAnswer): string | null {
  if (answer.status < 200 || answer.status >= 300) return null;
  const text = answer.text.trim();
  if (!text) return null;
  try {
    const json: unknown = JSON.parse(text);
    if (json && typeof json === "object" && "version" in json) {
      const version = (json as { version: unknown }).version;
      return typeof version === "string" ? version : JSON.stringify(version);
    }
  } catch {
    // not JSON: the text is the version
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
