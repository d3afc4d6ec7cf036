import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { adminHandler } from "./admin.js";
import { RouterStateError } from "./errors.js";
import { isLoopback, listenUrl } from "./listen-address.js";
import { Mirror } from "./mirror.js";
import { MirrorLog } from "./mirror-log.js";
import { serve } from "./proxy.js";
import { RequestLog } from "./request-log.js";
import { applyChange, checkMirror, checkUpstreams, checkWeights, copyState } from "./state.js";
import { summarize } from "./summarize.js";
import type { EmbeddedRouter, EmbeddedRouterOptions, RouterState, RouterStats } from "./types.js";
import { UpstreamPool } from "./upstream-pool.js";
import { WeightedRoundRobin } from "./weighted-round-robin.js";

/** How long close() lets in-flight requests finish before cutting them. */
const DRAIN_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Starts the embedded router: a weighted reverse proxy on node:http, and its admin API on a port
 * of its own. It is the default router of the demo, the eval runner and machines without nginx;
 * the traffic adapter changes its weights and mirror and reads its figures, in process or over
 * the admin API.
 *
 * @example
 * const router = await startEmbeddedRouter({
 *   upstreams: { v1: "http://127.0.0.1:9001", v2: "http://127.0.0.1:9002" },
 *   weights: { v1: 90, v2: 10 },
 * });
 * router.setState({ weights: { v1: 0, v2: 100 } }); // the next request goes to v2
 */
export async function startEmbeddedRouter(options: EmbeddedRouterOptions): Promise<EmbeddedRouter> {
  const upstreams = checkUpstreams(options.upstreams);
  let state: RouterState = {
    upstreams,
    weights: checkWeights(options.weights, upstreams),
    mirror: checkMirror(options.mirror ?? null, upstreams),
    generation: 1,
  };
  const timeoutMs = options.upstream_timeout_ms ?? DEFAULT_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0))
    throw new RouterStateError(
      400,
      `upstream_timeout_ms must be a number of milliseconds above 0, not ${timeoutMs}`,
    );
  if (options.admin_token !== undefined && options.admin_token.length === 0)
    throw new RouterStateError(400, "admin_token is empty: leave it out, or give a real token");

  let picker = new WeightedRoundRobin(state.weights);
  const logs = new Map(Object.keys(upstreams).map((name) => [name, new RequestLog()]));
  const total = new RequestLog();
  const mirrorLog = new MirrorLog();
  const pool = new UpstreamPool(upstreams, timeoutMs);
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const settled = work.then(
      () => {},
      () => {},
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
  };
  let closing: Promise<void> | null = null;
  const mirror = new Mirror({ spec: () => state.mirror, pool, log: mirrorLog, track });

  const traffic = createServer((req, res) =>
    track(
      serve(
        {
          pool,
          pick: (tried) => picker.pick(tried),
          mirror,
          log: (name) => logs.get(name) ?? total,
          total,
          closing: () => closing !== null,
        },
        req,
        res,
      ),
    ),
  );

  const setState = (change: Parameters<EmbeddedRouter["setState"]>[0]): RouterState => {
    const next = applyChange(state, change);
    // Smooth round-robin restarts from zero: the next request is picked by the new weights only.
    if (next.weights !== state.weights) picker = new WeightedRoundRobin(next.weights);
    state = next;
    return copyState(state);
  };
  const stats = (window: { since: number; until?: number }): RouterStats => {
    // By default everything finished so far, including in this very millisecond: [since, now + 1).
    const until = window.until ?? Date.now() + 1;
    if (!Number.isFinite(window.since) || !Number.isFinite(until))
      throw new RouterStateError(400, "stats: since and until must be times in epoch milliseconds");
    return {
      since: window.since,
      until,
      upstreams: Object.fromEntries(
        [...logs].map(([name, log]) => [name, summarize(log.window(window.since, until))]),
      ),
      total: summarize(total.window(window.since, until)),
      mirror: mirrorLog.window(window.since, until),
    };
  };

  const adminHost = options.admin?.host ?? "127.0.0.1";
  let adminPort = 0;
  const admin = createServer(
    adminHandler({
      token: options.admin_token,
      hosts: () =>
        isLoopback(adminHost)
          ? new Set([
              new URL(listenUrl(adminHost, adminPort)).host,
              `127.0.0.1:${adminPort}`,
              `localhost:${adminPort}`,
              `[::1]:${adminPort}`,
            ])
          : null,
      state: () => copyState(state),
      setState,
      stats,
    }),
  );

  const url = await listen(
    traffic,
    options.listen?.host ?? "127.0.0.1",
    options.listen?.port ?? 0,
    "traffic",
  );
  let adminUrl: string;
  try {
    adminUrl = await listen(admin, adminHost, options.admin?.port ?? 0, "admin");
  } catch (error) {
    traffic.close();
    throw error;
  }
  adminPort = (admin.address() as AddressInfo).port;

  const close = async () => {
    const trafficClosed = new Promise<void>((resolve) => traffic.close(() => resolve()));
    traffic.closeIdleConnections();
    const deadline = Date.now() + DRAIN_MS;
    // Requests that arrive meanwhile on open keep-alive connections are waited for too.
    while (inFlight.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(inFlight),
        new Promise((resolve) => {
          timer = setTimeout(resolve, deadline - Date.now());
        }),
      ]);
      clearTimeout(timer);
    }
    traffic.closeAllConnections();
    pool.destroy();
    await trafficClosed;
    const adminClosed = new Promise<void>((resolve) => admin.close(() => resolve()));
    admin.closeAllConnections();
    await adminClosed;
  };

  return {
    url,
    adminUrl,
    state: () => copyState(state),
    setState,
    stats,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

function listen(server: Server, host: string, port: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `the router cannot listen for ${what} on ${host}:${port}: ${error.code === "EADDRINUSE" ? "the address is in use; pick another port" : error.message}`,
        ),
      );
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve(listenUrl(host, (server.address() as AddressInfo).port));
    });
  });
}
