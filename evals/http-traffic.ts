import { Agent, request } from "node:http";
import type { TrafficStats } from "./traffic.js";

export interface HttpTrafficSpec {
  method: string;
  path: string;
  /** Requests per second. */
  rate: number;
}

export interface HttpTrafficStats extends TrafficStats {
  /** Requests resent once after their reused keep-alive connection was closed under them. */
  retried: number;
  /** Answers per upstream version (`x-served-by`), for reports. */
  servedBy: Record<string, number>;
}

/** `"GET /orders/1"` → `{ method: "GET", path: "/orders/1" }`. */
export function parseHttpTraffic(text: string): { method: string; path: string } {
  const match = /^\s*([A-Z]+)\s+(\/\S*)\s*$/.exec(text);
  if (!match?.[1] || !match[2])
    throw new Error(
      `traffic http: expected "METHOD /path", such as "GET /orders/1", not ${JSON.stringify(text)}`,
    );
  return { method: match[1], path: match[2] };
}

/**
 * HTTP load on a schedule (open loop: each request fires at its time, whether or not the ones
 * before it have answered), over keep-alive connections as browsers and services keep them. A
 * request fails when it gets no answer, a status of 400 or more, or waits past `maxWaitMs`. Like
 * browsers (RFC 9112 §9.3.1), an idempotent request whose reused connection was closed before any
 * answer is sent once more, on a new connection; such retries are counted, not hidden.
 */
export function startHttpTraffic(
  baseUrl: string,
  specs: readonly HttpTrafficSpec[],
  maxWaitMs: number,
): { stop(): Promise<HttpTrafficStats> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const stats: HttpTrafficStats = {
    statements: 0,
    errors: 0,
    slow: 0,
    latencies: [],
    messages: [],
    retried: 0,
    servedBy: {},
  };
  const pending = new Set<Promise<void>>();
  const base = new URL(baseUrl);
  const started = performance.now();
  const fire = (spec: HttpTrafficSpec) => {
    const t0 = performance.now();
    const work = send(spec, false)
      .catch((error: Error & { reusedSocket?: boolean }) => {
        if (!error.reusedSocket || !["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].includes(spec.method))
          throw error;
        stats.retried++;
        return send(spec, true);
      })
      .then(
        ({ status, servedBy }) => {
          if (servedBy) stats.servedBy[servedBy] = (stats.servedBy[servedBy] ?? 0) + 1;
          if (status >= 400) {
            stats.errors++;
            if (stats.messages.length < 5) stats.messages.push(`${spec.method} ${spec.path}: ${status}`);
          }
        },
        (error: Error) => {
          stats.errors++;
          if (stats.messages.length < 5) stats.messages.push(`${spec.method} ${spec.path}: ${error.message}`);
        },
      )
      .finally(() => {
        const ms = performance.now() - t0;
        stats.statements++;
        stats.latencies.push(ms);
        if (ms > maxWaitMs) stats.slow++;
        pending.delete(work);
      });
    pending.add(work);
  };
  function send(spec: HttpTrafficSpec, fresh: boolean): Promise<{ status: number; servedBy?: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: base.hostname,
          port: base.port,
          method: spec.method,
          path: spec.path,
          agent: fresh ? false : agent,
          timeout: Math.max(maxWaitMs * 10, 10_000),
        },
        (response) => {
          response.resume();
          response.on("end", () => {
            const served = response.headers["x-served-by"];
            resolve({
              status: response.statusCode ?? 0,
              ...(typeof served === "string" ? { servedBy: served } : {}),
            });
          });
          response.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error("no answer (timeout)")));
      req.on("error", (error: Error & { reusedSocket?: boolean }) => {
        error.reusedSocket = req.reusedSocket;
        reject(error);
      });
      req.end();
    });
  }
  // One timer per spec, catching up on schedule: a timer that fires late sends every request
  // whose time has come, so the rate holds on a busy machine.
  const timers = specs.map((spec) => {
    let sent = 0;
    return setInterval(
      () => {
        const due = Math.floor(((performance.now() - started) / 1000) * spec.rate);
        for (; sent < due; sent++) fire(spec);
      },
      Math.max(1, Math.min(20, Math.round(1000 / spec.rate))),
    );
  });
  return {
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.all([...pending]);
      agent.destroy();
      return stats;
    },
  };
}
