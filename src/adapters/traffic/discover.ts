import type { TrafficConnection } from "./connection.js";
import { causeOf, requestOnce } from "./embedded-client.js";

/** What discovery tells of a traffic component: the route, and each upstream's version. */
export interface TrafficDiscovery {
  kind: "traffic";
  router: "embedded" | "nginx";
  public_url: string;
  generation: number;
  upstreams: Array<{
    name: string;
    url: string;
    weight: number;
    /** The `version` its `/version` endpoint answers, when it answers one. */
    version: string | null;
    reachable: boolean;
    error?: string;
  }>;
  mirror: { to: string; percent: number } | null;
}

/** Reads the route's state and asks each upstream its version (`GET /version`). Read-only. */
export async function discoverTraffic(connection: TrafficConnection): Promise<TrafficDiscovery> {
  const state = await connection.router.state();
  const upstreams = await Promise.all(
    Object.entries(state.upstreams).map(async ([name, url]) => {
      const weight = state.weights[name] ?? 0;
      try {
        const { status, text } = await requestOnce(new URL("/version", url).toString(), "GET", {}, undefined);
        const response = { ok: status >= 200 && status < 300 };
        let version: string | null = null;
        try {
          const json = JSON.parse(text) as { version?: unknown };
          if (typeof json.version === "string") version = json.version;
        } catch {
          if (response.ok && text.trim().length < 64) version = text.trim() || null;
        }
        return { name, url, weight, version, reachable: true };
      } catch (error) {
        return { name, url, weight, version: null, reachable: false, error: causeOf(error) };
      }
    }),
  );
  return {
    kind: "traffic",
    router: connection.router.kind,
    public_url: connection.router.publicUrl,
    generation: state.generation,
    upstreams,
    mirror: state.mirror ? { to: state.mirror.to, percent: state.mirror.percent } : null,
  };
}
