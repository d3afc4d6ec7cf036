import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import pc from "picocolors";
import { type HttpTrafficStats, startHttpTraffic } from "../../evals/http-traffic.js";
import { adapters } from "../adapters/registry.js";
import { progressPrinter } from "../cli/output/progress.js";
import type { Component } from "../core/blueprint/schema.js";
import { validateBlueprint } from "../core/validate.js";
import type { ExecutorDeps } from "../executor/deps.js";
import { createRun, executeRun } from "../executor/executor.js";
import { offlinePlanner } from "../planner/offline/offline-planner.js";
import { type EmbeddedRouter, startEmbeddedRouter } from "../router/index.js";
import { type SampleService, startSampleService } from "../sample-service/index.js";
import { defaultCatalog } from "../services/catalog.js";
import { openSystem } from "../services/system.js";
import { openStore } from "../store/open.js";
import { percentile } from "./simulated-client.js";

/** The sentence the deployment act plans from. */
const DEPLOY_REQUEST = "roll out web v2 as a canary, 10% first";
/** What the simulated client asks for, and how often: enough for every analysis window to judge. */
const CLIENT = { method: "GET", path: "/orders/1", rate: 100 } as const;
/** A request slower than this counts as slow (not failed) in the client's figures. */
const CLIENT_MAX_WAIT_MS = 1000;

export interface DeployDemoOptions {
  /** v2 fails 30 % of its requests: the canary's analysis fails and the weights go back. */
  injectFailure: boolean;
  out(text: string): void;
  /** The terminal, for the live status line. */
  live?: { write(text: string): void };
}

/**
 * The demo's deployment act: two versions of the sample service behind the embedded router, a
 * client sending 100 requests a second through it, and a canary of v2 planned from a sentence by
 * the offline planner and run by the executor. With `injectFailure`, v2 answers 30 % of its
 * requests with a 500: the canary's analysis fails and the weights go back to v1 on their own
 * (level 0), which is what a canary is for. Returns the exit code: 0 when the act showed what it
 * set out to show.
 */
export async function runDeployDemo(options: DeployDemoOptions): Promise<number> {
  const { out } = options;
  const begun = Date.now();
  const dir = await mkdtemp(join(tmpdir(), "ma-deploy-demo-"));
  out(pc.bold("Migration Architect demo: a canary deployment") + pc.dim(`  (work dir ${dir})`));

  const services: SampleService[] = [];
  let router: EmbeddedRouter | undefined;
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  let traffic: ReturnType<typeof startHttpTraffic> | undefined;
  try {
    // The run's store first: opening it takes seconds, which must not fall between the planner's
    // discovery of the router and the run (an idle admin connection the router closes meanwhile
    // would be reused and reset).
    store = await openStore({ stateDir: join(dir, "state") });
    const v1 = await startSampleService({ name: "v1" });
    services.push(v1);
    const v2 = await startSampleService({
      name: "v2",
      ...(options.injectFailure ? { error_rate: 0.3 } : {}),
    });
    services.push(v2);
    router = await startEmbeddedRouter({
      upstreams: { v1: v1.url, v2: v2.url },
      weights: { v1: 100, v2: 0 },
    });
    out(`sample service v1 at ${v1.url}, v2 at ${v2.url}`);
    out(`embedded router at ${router.url} (admin ${router.adminUrl}): v1 100, v2 0`);
    if (options.injectFailure)
      out(pc.yellow("--inject-failure: v2 answers 30 % of its order requests with a 500"));

    // The client starts first, so that the route is busy before any weight moves, as in production.
    traffic = startHttpTraffic(router.url, [CLIENT], CLIENT_MAX_WAIT_MS);
    out(
      `a client sends ${CLIENT.rate} requests a second of ${CLIENT.method} ${CLIENT.path} through the router`,
    );

    const web: Component = {
      id: "web",
      kind: "traffic",
      connection: router.adminUrl,
      options: { public_url: router.url },
    };
    const catalog = defaultCatalog();
    const planned = await offlinePlanner().plan({
      request: DEPLOY_REQUEST,
      system: openSystem([web], adapters, process.env),
      catalog,
    });
    out(pc.bold(`\nplanning from a sentence (offline planner): "${DEPLOY_REQUEST}"`));
    if (planned.kind !== "blueprint" || !planned.valid) {
      throw new Error(
        `the offline planner did not plan the deployment demo: ${planned.kind === "refusal" ? planned.reason : "invalid blueprint"}`,
      );
    }
    const blueprint = planned.blueprint;
    for (const phase of blueprint.phases) {
      out(`  ${phase.id}: ${phase.steps.map((s) => `${s.id} (${s.action})`).join(", ")}`);
    }
    for (const note of planned.notes) out(pc.dim(`  note: ${note}`));
    out(pc.dim(`  planned in ${planned.elapsed_ms} ms, discovery of the router included`));

    // The core checks the plan again, as `run` does with any blueprint it is given.
    const validation = validateBlueprint(blueprint, { catalog });
    if (!validation.valid) {
      throw new Error(
        `the core refused the planned canary: ${validation.diagnostics.map((d) => d.message).join("; ")}`,
      );
    }
    const analysis = validation.analysis;
    const gated = analysis.steps.filter((ref) => analysis.approvals[ref.index]).map((ref) => ref.step.id);

    const deps: ExecutorDeps = {
      store,
      adapters,
      env: process.env,
      holder: `pid ${process.pid}@${hostname()} (demo)`,
      observe: progressPrinter({ json: false, out, started: begun, live: options.live }),
    };
    out(pc.bold("\nrunning the canary while the client keeps sending"));
    if (gated.length)
      out(pc.dim(`steps above the risk threshold, approved for the demo: ${gated.join(", ")}`));
    const run = await createRun(deps, blueprint, {
      approve: gated,
      approvedBy: "the demo (non-interactive)",
    });
    const t = Date.now();
    const final = await executeRun(deps, run.id);
    out(`\nrun ${final.id}: ${pc.bold(final.status)} in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const stats = await traffic.stop();
    traffic = undefined;
    const weights = router.state().weights;
    out(pc.bold("\nSummary"));
    out(`  run status: ${final.status}`);
    out(`  ${trafficLine(stats)}`);
    if (stats.messages.length) out(pc.dim(`  failures seen: ${[...new Set(stats.messages)].join("; ")}`));
    out(`  final weights: ${formatWeights(weights)}`);

    const allOnV1 = weights.v1 === 100 && weights.v2 === 0;
    const allOnV2 = weights.v1 === 0 && weights.v2 === 100;
    let ok: boolean;
    if (options.injectFailure) {
      const analyses = new Set(
        blueprint.phases.flatMap((p) =>
          p.steps.filter((s) => s.action === "traffic.analyze").map((s) => s.id),
        ),
      );
      const failed = (await store.events(run.id)).find(
        (e) => e.type === "step.failed" && analyses.has(e.step_id ?? ""),
      );
      out(
        failed
          ? `  the canary's analysis failed at ${failed.step_id}: ${String(failed.data.error)}`
          : pc.red("  no canary analysis failed"),
      );
      ok = final.status === "rolled_back" && allOnV1 && failed !== undefined;
      out(
        ok
          ? pc.green(
              pc.bold(
                "the weights went back to v1 on their own (level 0: nobody was asked): all traffic is on v1",
              ),
            )
          : pc.red(`the canary was not rolled back to v1 as expected (run ${final.status})`),
      );
      out(
        `  what the canary cost: ${stats.errors} failed requests of ${stats.statements}, while v2 answered ${stats.servedBy.v2 ?? 0} of them`,
      );
    } else {
      ok = final.status === "completed" && allOnV2 && stats.errors === 0;
      out(
        ok
          ? pc.green(pc.bold("v2 serves all of web now, and no client request failed on the way"))
          : pc.red(
              `the canary did not promote v2 cleanly (run ${final.status}, ${stats.errors} failed requests)`,
            ),
      );
    }
    out(`demo finished in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
    return ok ? 0 : 1;
  } finally {
    await traffic?.stop().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await router?.close().catch(() => undefined);
    for (const s of services) await s.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

function trafficLine(stats: HttpTrafficStats): string {
  const served = Object.entries(stats.servedBy)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([version, n]) => `${version} ${n}`)
    .join(", ");
  return `client: ${stats.statements} requests, ${stats.errors} failed, ${stats.slow} slow; latency p50 ${percentile(stats.latencies, 50).toFixed(1)} ms, p99 ${percentile(stats.latencies, 99).toFixed(1)} ms; answered by ${served || "nobody"}`;
}

function formatWeights(weights: Record<string, number>): string {
  return Object.entries(weights)
    .map(([name, w]) => `${name} ${w}`)
    .join(", ");
}
