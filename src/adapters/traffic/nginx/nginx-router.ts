import { copyFile, readFile, rename, writeFile } from "node:fs/promises";
import { get } from "node:http";
import { dirname } from "node:path";
import { checkMirror, checkWeights } from "../../../router/state.js";
import {
  fullWeights,
  type MirrorSpec,
  type RouteState,
  type RouteStats,
  type TrafficRouter,
  type Weights,
} from "../route.js";
import { readLog, statsFromLog } from "./access-log.js";
import { runNginx } from "./nginx-command.js";
import { renderSite } from "./site-config.js";

export interface NginxRouterOptions {
  /** The traffic component's id. */
  name: string;
  /** The main nginx.conf, which includes `site` inside its `http` block. */
  conf: string;
  /** The site file this adapter owns and rewrites. */
  site: string;
  /** How to run nginx (`["nginx"]`, or `["sudo", "-n", "nginx"]`). */
  command: string[];
  /** What the site listens on: `127.0.0.1:8080`. */
  listen: string;
  publicUrl: string;
  upstreams: Record<string, string>;
  /** The weights before the adapter ever wrote the site: the first upstream 100 unless given. */
  initialWeights?: Weights;
  accessLog?: string;
  mirrorLog?: string;
}

const RELOAD_SEEN_TIMEOUT_MS = 15_000;
const OLD_WORKERS_SIGNALLED_MS = 150;

/**
 * nginx as the router of a traffic component. A change renders the whole site file (weighted
 * upstream, optional mirror), keeps the file it replaces as `<site>.prev`, checks the result with
 * `nginx -t` (restoring the previous file when nginx refuses it), reloads gracefully with
 * `nginx -s reload` (old workers finish their requests; new ones take new connections), and waits
 * until a fresh connection is served by the new generation. The route's state (weights, mirror,
 * generation) is kept beside the site in `<site>.state.json`. Statistics come from the site's own
 * access log.
 */
export function nginxRouter(options: NginxRouterOptions): TrafficRouter & {
  /** Writes the site without reloading (before nginx starts, or to install it). */
  install(): Promise<RouteState>;
} {
  const stateFile = `${options.site}.state.json`;
  const accessLog = options.accessLog ?? `${options.site}.access.log`;
  const mirrorLog = options.mirrorLog ?? `${options.site}.mirror.log`;

  async function state(): Promise<RouteState> {
    try {
      const saved = JSON.parse(await readFile(stateFile, "utf8")) as Omit<RouteState, "upstreams">;
      return {
        upstreams: options.upstreams,
        ...saved,
        weights: fullWeights(saved.weights, options.upstreams),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        throw new Error(`the route's state file ${stateFile} cannot be read: ${(error as Error).message}`);
      const first = Object.keys(options.upstreams)[0] ?? "";
      const weights = fullWeights(options.initialWeights ?? { [first]: 100 }, options.upstreams);
      return { upstreams: options.upstreams, weights, mirror: null, generation: 0 };
    }
  }

  const nginx = (args: string[], what: string) =>
    runNginx(options.command.length ? options.command : ["nginx"], args, what, {
      cwd: dirname(options.conf),
    });

  async function write(next: RouteState): Promise<void> {
    const text = renderSite({
      name: options.name,
      listen: options.listen,
      upstreams: options.upstreams,
      weights: next.weights,
      mirror: next.mirror,
      generation: next.generation,
      accessLog,
      mirrorLog,
    });
    const had = await copyFile(options.site, `${options.site}.prev`).then(
      () => true,
      () => false,
    );
    await writeFile(`${options.site}.next`, text);
    await rename(`${options.site}.next`, options.site);
    try {
      await nginx(["-t", "-q", "-c", options.conf], `-t (the check of ${options.site})`);
    } catch (error) {
      if (had) await copyFile(`${options.site}.prev`, options.site);
      throw new Error(
        `${(error as Error).message}; the previous site file is back in place, nothing was reloaded`,
      );
    }
    const { upstreams: _, ...saved } = next;
    await writeFile(`${stateFile}.next`, JSON.stringify(saved, null, 2));
    await rename(`${stateFile}.next`, stateFile);
  }

  /** The change checked by the embedded router's own rules (one set of rules for both routers). */
  async function nextState(change: { weights?: Weights; mirror?: MirrorSpec | null }): Promise<RouteState> {
    const current = await state();
    try {
      const weights = change.weights ? checkWeights(change.weights, options.upstreams) : current.weights;
      const mirror =
        change.mirror === undefined ? current.mirror : checkMirror(change.mirror, options.upstreams);
      return { upstreams: options.upstreams, weights, mirror, generation: current.generation + 1 };
    } catch (error) {
      throw new Error(`nginx route '${options.name}': ${(error as Error).message}`);
    }
  }

  return {
    kind: "nginx",
    describe: `nginx (${options.conf}, site ${options.site})`,
    publicUrl: options.publicUrl,
    state,
    async install() {
      const next = await nextState({});
      await write(next);
      return next;
    },
    async change(change) {
      const next = await nextState(change);
      await write(next);
      try {
        await nginx(["-s", "reload", "-c", options.conf], "reload");
      } catch (error) {
        throw new Error(
          `${(error as Error).message}: the new site file is written and checked, but nginx (${options.conf}) did not reload; is it running?`,
        );
      }
      await waitForGeneration(options.publicUrl, next.generation);
      // nginx's master tells the old workers to shut down 100 ms after starting the new ones;
      // until then an old worker still routes requests on its keep-alive connections.
      await new Promise((r) => setTimeout(r, OLD_WORKERS_SIGNALLED_MS));
      return next;
    },
    async stats(window): Promise<RouteStats> {
      const until = window.until ?? Date.now();
      const [lines, mirrorLines] = await Promise.all([readLog(accessLog), readLog(mirrorLog)]);
      return statsFromLog(lines, mirrorLines, options.upstreams, { since: window.since, until });
    },
    close: async () => undefined,
  };
}

/**
 * Waits until a new connection is served by a worker of `generation` or later: after
 * `nginx -s reload` returns, the master is still starting new workers.
 */
async function waitForGeneration(publicUrl: string, generation: number): Promise<void> {
  const deadline = Date.now() + RELOAD_SEEN_TIMEOUT_MS;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const seen = await generationServed(publicUrl);
      if (seen >= generation) return;
      last = `generation ${seen}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(
    `nginx reloaded, but ${publicUrl} still serves ${last} after ${RELOAD_SEEN_TIMEOUT_MS / 1000}s (generation ${generation} expected): check nginx's error log`,
  );
}

/** The generation a fresh connection is served by (no keep-alive: an old worker may hold one). */
function generationServed(publicUrl: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = get(
      new URL("/__ma/generation", publicUrl),
      { agent: false, headers: { connection: "close" }, timeout: 2_000 },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => {
          body += chunk;
        });
        response.on("end", () => {
          const n = Number(body.trim());
          if (response.statusCode === 200 && Number.isFinite(n)) resolve(n);
          else reject(new Error(`status ${response.statusCode} from /__ma/generation`));
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error("no answer within 2s")));
    request.on("error", reject);
  });
}
