import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Component, HealthCheck } from "../../core/blueprint/schema.js";
import { type EmbeddedRouter, startEmbeddedRouter } from "../../router/index.js";
import { checkWeights } from "../../router/state.js";
import { type SampleService, startSampleService } from "../../sample-service/index.js";
import { changedNothing } from "../changed-nothing.js";
import { NeedsDecisionError, needsDecision } from "../needs-decision.js";
import type { StepContext } from "../types.js";
import { movedShare } from "./actions/params.js";
import { createTrafficAdapter, trafficAdapter } from "./adapter.js";
import type { TrafficConnection } from "./connection.js";
import type { TrafficDiscovery } from "./discover.js";
import { fullWeights, sameShares, showWeights } from "./route.js";

/**
 * The traffic adapter and its actions against a real embedded router in front of two real
 * sample services (v1 and v2), all on loopback ports the system chose. Traffic for the analyses
 * and the mirror is generated here, by sequential clients of the router.
 */

let v1: SampleService;
let v2: SampleService;
let router: EmbeddedRouter;
let connection: TrafficConnection;
const opened: Array<{ close(): Promise<void> }> = [];

const component = (
  id: string,
  connectionUrl: string | undefined,
  options: Record<string, unknown>,
): Component =>
  ({
    id,
    kind: "traffic",
    ...(connectionUrl === undefined ? {} : { connection: connectionUrl }),
    options,
  }) as Component;

async function connect(
  c: Component,
  env: Record<string, string | undefined> = {},
): Promise<TrafficConnection> {
  const connected = await trafficAdapter.connect(c, env);
  opened.push(connected);
  return connected.connection;
}

const action = (name: string) => {
  const def = trafficAdapter.actions.find((a) => a.name === name);
  if (!def) throw new Error(`no action ${name}`);
  return def;
};

/** Parses params as the executor does, then applies and verifies them. */
async function apply(name: string, params: Record<string, unknown>, context = stepContext()) {
  const def = action(name);
  return def.apply(connection, def.params.parse(params), context);
}
async function verify(name: string, params: Record<string, unknown>) {
  const def = action(name);
  return def.verify(connection, def.params.parse(params));
}

function stepContext(signal: AbortSignal = new AbortController().signal): StepContext & { lines: string[] } {
  const lines: string[] = [];
  let progress: Record<string, unknown> | undefined;
  return {
    runId: "run-test",
    stepId: "step-test",
    signal,
    lines,
    log: (message) => lines.push(message),
    progress: {
      get: () => progress,
      set: async (value) => {
        progress = value;
      },
    },
  };
}

/** Clients sending GET /orders/N through the router, one request at a time each, until stopped. */
function traffic(clients = 2) {
  let stopping = false;
  const servedBy: Record<string, number> = {};
  const loops = Array.from({ length: clients }, async (_, c) => {
    for (let i = 1; !stopping; i++) {
      const response = await fetch(`${router.url}/orders/${c * 100_000 + i}`);
      await response.arrayBuffer();
      const name = response.headers.get("x-served-by") ?? "?";
      servedBy[name] = (servedBy[name] ?? 0) + 1;
    }
  });
  return {
    servedBy,
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

/** Which version answered each of `n` requests through the router. */
async function servedBy(n: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const response = await fetch(`${router.url}/orders/${i + 1}`);
    await response.arrayBuffer();
    const name = response.headers.get("x-served-by") ?? "?";
    seen[name] = (seen[name] ?? 0) + 1;
  }
  return seen;
}

beforeAll(async () => {
  v1 = await startSampleService({ name: "v1" });
  v2 = await startSampleService({ name: "v2" });
  router = await startEmbeddedRouter({
    upstreams: { v1: v1.url, v2: v2.url },
    weights: { v1: 100, v2: 0 },
  });
  connection = await connect(component("web", router.adminUrl, { public_url: router.url }));
});

beforeEach(() => {
  router.setState({ weights: { v1: 100, v2: 0 }, mirror: null });
  v1.setFaults({ error_rate: 0, latency_ms: 0 });
  v2.setFaults({ error_rate: 0, latency_ms: 0 });
});

afterAll(async () => {
  for (const c of opened) await c.close();
  await router?.close();
  await v1?.close();
  await v2?.close();
});

describe("route arithmetic", () => {
  const upstreams = { v1: "http://127.0.0.1:1", v2: "http://127.0.0.1:2" };

  it("refuses weights clearly: unknown names, negative or fractional values, none above 0", () => {
    // Both routers check weights by the embedded router's rules (nginx's through its adapter).
    expect(checkWeights({ v1: 90, v2: 10 }, upstreams)).toEqual({ v1: 90, v2: 10 });
    expect(checkWeights({ v2: 1 }, upstreams)).toEqual({ v1: 0, v2: 1 });
    expect(() => checkWeights({ v3: 1 }, upstreams)).toThrow(
      "weights: 'v3' is not an upstream of this router (upstreams: v1, v2)",
    );
    expect(() => checkWeights({ v1: -1 }, upstreams)).toThrow("weights: v1 must be an integer ≥ 0, not -1");
    expect(() => checkWeights({ v1: 0.5 }, upstreams)).toThrow("weights: v1 must be an integer ≥ 0, not 0.5");
    expect(() => checkWeights({ v1: 0 }, upstreams)).toThrow("at least one upstream needs a weight above 0");
    expect(() => checkWeights({}, upstreams)).toThrow("at least one upstream needs a weight above 0");
  });

  it("names every upstream, the ones left out at 0, and shows weights in words", () => {
    expect(fullWeights({ v2: 100 }, upstreams)).toEqual({ v1: 0, v2: 100 });
    expect(showWeights({ v1: 90, v2: 10 })).toBe("v1 90 / v2 10");
  });

  it("compares shares, not numbers: 90/10 is 9/1, and a missing name is a 0", () => {
    expect(sameShares({ v1: 90, v2: 10 }, { v1: 9, v2: 1 })).toBe(true);
    expect(sameShares({ v1: 100 }, { v1: 1, v2: 0 })).toBe(true);
    expect(sameShares({ v1: 90, v2: 10 }, { v1: 10, v2: 90 })).toBe(false);
    expect(sameShares({ v1: 0 }, {})).toBe(true);
    expect(sameShares({ v1: 0 }, { v1: 1 })).toBe(false);
  });

  it("measures the share of traffic a change sends somewhere new (a weight change's risk)", () => {
    expect(movedShare({ v1: 90, v2: 10 }, undefined)).toBe(1);
    expect(movedShare({ v1: 90, v2: 10 }, { v1: 100, v2: 0 })).toBeCloseTo(0.1, 10);
    expect(movedShare({ v1: 50, v2: 50 }, { v1: 90, v2: 10 })).toBeCloseTo(0.4, 10);
    expect(movedShare({ v1: 9, v2: 1 }, { v1: 90, v2: 10 })).toBeCloseTo(0, 10);
    expect(movedShare({ v2: 100 }, { v1: 100 })).toBe(1);
    expect(movedShare({ v1: 1 }, { v1: 0, v2: 0 })).toBe(1);
    expect(
      action("traffic.set_weights").risk({ weights: { v1: 90, v2: 10 }, previous: { v1: 100, v2: 0 } }, {}),
    ).toMatchObject({ blast_radius: expect.closeTo(0.17, 10) });
  });
});

describe("the traffic adapter", () => {
  it("is the kind `traffic`, with the four actions of the catalogue", () => {
    const adapter = createTrafficAdapter();
    expect(adapter.kind).toBe("traffic");
    expect(adapter.actions.map((a) => a.name)).toEqual([
      "traffic.set_weights",
      "traffic.switch",
      "traffic.mirror",
      "traffic.analyze",
    ]);
  });
});

describe("connect", () => {
  const ok = { public_url: "http://127.0.0.1:1" };

  it("names the component, the problem and the two shapes of a traffic component", async () => {
    const refused = connect(component("web", undefined, ok));
    await expect(refused).rejects.toThrow(
      /^traffic component 'web': give the router's admin URL as its connection \(a traffic component is either/,
    );
    await expect(connect(component("web", "127.0.0.1:9000", ok))).rejects.toThrow(
      "traffic component 'web': the connection must be the admin URL (http://…), not '127.0.0.1:9000'",
    );
    await expect(connect(component("web", router.adminUrl, {}))).rejects.toThrow(
      /traffic component 'web': options\.public_url: /,
    );
    await expect(connect(component("web", router.adminUrl, { public_url: "ftp://x" }))).rejects.toThrow(
      "traffic component 'web': options.public_url must be an http:// URL",
    );
    await expect(connect(component("web", router.adminUrl, { ...ok, bogus: 1 }))).rejects.toThrow(/bogus/);
    await expect(connect(component("web", undefined, { router: "nginx", conf: "/x" }))).rejects.toThrow(
      /traffic component 'web': options\.site: /,
    );
  });

  it("never echoes a secret: a password in the connection, a token written into the blueprint", async () => {
    const withPassword = connect(component("web", "postgres://admin:hunter2@db/app", ok));
    await expect(withPassword).rejects.toThrow(/the connection must be the admin URL/);
    await expect(withPassword).rejects.not.toThrow(/hunter2/);
    const literalToken = connect(
      component("web", router.adminUrl, { ...ok, admin_token: "tok-literal-123" }),
    );
    await expect(literalToken).rejects.toThrow(
      "options.admin_token: give the token as env:NAME; a secret never sits in a blueprint",
    );
    await expect(literalToken).rejects.not.toThrow(/tok-literal-123/);
  });

  it("reads env:NAME for the connection, the public URL and the token, and says which is unset", async () => {
    const viaEnv = await connect(
      component("web", "env:ROUTER_ADMIN", { public_url: "env:ROUTER_URL", lock_timeout: "5s" }),
      { ROUTER_ADMIN: router.adminUrl, ROUTER_URL: router.url },
    );
    expect(viaEnv.componentId).toBe("web");
    expect(viaEnv.router.publicUrl).toBe(router.url);
    expect((await viaEnv.router.state()).upstreams).toEqual({ v1: v1.url, v2: v2.url });
    await expect(connect(component("web", "env:ROUTER_ADMIN", ok), {})).rejects.toThrow(
      "connection is env:ROUTER_ADMIN, and environment variable ROUTER_ADMIN is not set",
    );
    await expect(
      connect(component("web", router.adminUrl, { ...ok, admin_token: "env:ROUTER_TOKEN" }), {}),
    ).rejects.toThrow(
      "options.admin_token is env:ROUTER_TOKEN, and environment variable ROUTER_TOKEN is not set",
    );
  });

  // Fails today: the admin URL is printed as given, password and all, in `describe` and in the
  // "cannot be reached" error. See the report of issue 8's tests.
  it("keeps a password written into the admin URL out of what it prints", async () => {
    // Either connect refuses the URL, or its description and its errors leave the password out.
    const printed = await trafficAdapter
      .connect(component("web", "http://admin:pw-secret-9@127.0.0.1:1", ok), {})
      .then(
        async (c) => {
          opened.push(c);
          const error = await trafficAdapter.discover(c.connection).then(
            () => "",
            (e: Error) => e.message,
          );
          return `${c.describe}\n${error}`;
        },
        (e: Error) => e.message,
      );
    expect(printed).not.toContain("pw-secret-9");
  });

  it("connects without touching the router, and says so when the admin API cannot be reached", async () => {
    const gone = await startSampleService({ name: "gone" });
    await gone.close();
    const dead = await connect(component("web", gone.url, ok));
    await expect(trafficAdapter.discover(dead)).rejects.toThrow(
      `the embedded router's admin API at ${gone.url} cannot be reached (ECONNREFUSED): is \`migration-architect router\` running there?`,
    );
  });

  it("sends the admin token from the environment, and says which option to set on a 401", async () => {
    const guarded = await startEmbeddedRouter({
      upstreams: { v1: v1.url },
      weights: { v1: 100 },
      admin_token: "s3cret-token-value",
    });
    try {
      const c = component("web", guarded.adminUrl, {
        public_url: guarded.url,
        admin_token: "env:ROUTER_TOKEN",
      });
      const good = await connect(c, { ROUTER_TOKEN: "s3cret-token-value" });
      expect((await good.router.state()).weights).toEqual({ v1: 100 });
      const none = await connect(component("web", guarded.adminUrl, { public_url: guarded.url }));
      const refused = none.router.state();
      await expect(refused).rejects.toThrow(/401 .*\(set the component's options\.admin_token\)/);
      const wrong = await connect(c, { ROUTER_TOKEN: "not-the-token" });
      await expect(wrong.router.state()).rejects.toThrow(/401/);
      await expect(wrong.router.state()).rejects.not.toThrow(/not-the-token|s3cret/);
    } finally {
      await guarded.close();
    }
  });
});

describe("discover", () => {
  it("reads the route and asks each upstream its version", async () => {
    router.setState({ weights: { v1: 90, v2: 10 } });
    const found = (await trafficAdapter.discover(connection)) as TrafficDiscovery;
    expect(found).toEqual({
      kind: "traffic",
      router: "embedded",
      public_url: router.url,
      generation: router.state().generation,
      upstreams: [
        { name: "v1", url: v1.url, weight: 90, version: "v1", reachable: true },
        { name: "v2", url: v2.url, weight: 10, version: "v2", reachable: true },
      ],
      mirror: null,
    });
  });

  it("reports an upstream that does not answer, with the reason, and the mirror", async () => {
    const gone = await startSampleService({ name: "v3" });
    await gone.close();
    const other = await startEmbeddedRouter({
      upstreams: { v1: v1.url, v3: gone.url },
      weights: { v1: 100 },
      mirror: { to: "v3", percent: 20 },
    });
    try {
      const c = await connect(component("api", other.adminUrl, { public_url: other.url }));
      const found = (await trafficAdapter.discover(c)) as TrafficDiscovery;
      expect(found.upstreams[1]).toEqual({
        name: "v3",
        url: gone.url,
        weight: 0,
        version: null,
        reachable: false,
        error: "ECONNREFUSED",
      });
      expect(found.mirror).toEqual({ to: "v3", percent: 20 });
    } finally {
      await other.close();
    }
  });
});

describe("traffic.set_weights", () => {
  const canary = { weights: { v1: 90, v2: 10 }, previous: { v1: 100, v2: 0 } };

  it("splits the traffic as asked, verifies it, and its inverse sets the previous weights back", async () => {
    const outcome = await apply("traffic.set_weights", canary);
    expect(outcome.figures).toMatchObject({
      weights: "v1 90 / v2 10",
      generation: router.state().generation,
    });
    expect(router.state().weights).toEqual({ v1: 90, v2: 10 });
    expect(await servedBy(100)).toEqual({ v1: 90, v2: 10 });
    expect(await verify("traffic.set_weights", canary)).toBe(true);
    expect(await verify("traffic.set_weights", { weights: { v1: 9, v2: 1 } })).toBe(true);

    const def = action("traffic.set_weights");
    expect(def.hasInverse(canary)).toBe(true);
    const inverse = def.inverse(def.params.parse(canary));
    expect(inverse).toEqual({
      action: "traffic.set_weights",
      params: { weights: { v1: 100, v2: 0 }, previous: { v1: 90, v2: 10 } },
    });
    if (!("action" in inverse)) throw new Error("expected an action");
    await apply(inverse.action, inverse.params);
    expect(router.state().weights).toEqual({ v1: 100, v2: 0 });
    expect(await verify("traffic.set_weights", canary)).toBe(false);
    expect(await servedBy(10)).toEqual({ v1: 10 });
  });

  it("gives the upstreams it does not name 0", async () => {
    await apply("traffic.set_weights", { weights: { v2: 100 } });
    expect(router.state().weights).toEqual({ v1: 0, v2: 100 });
    expect(await servedBy(5)).toEqual({ v2: 5 });
  });

  it("without previous weights, its undo is a person's, said so", () => {
    const def = action("traffic.set_weights");
    expect(def.hasInverse({ weights: { v2: 100 } })).toBe(false);
    expect(def.inverse(def.params.parse({ weights: { v2: 100 } }))).toEqual({
      manual: "set the route's weights back by hand (the step did not record the previous weights)",
    });
  });

  it("refuses bad params before any change", () => {
    const params = action("traffic.set_weights").params;
    expect(params.safeParse({ weights: {} }).success).toBe(false);
    expect(params.safeParse({ weights: { v1: -1 } }).success).toBe(false);
    expect(params.safeParse({ weights: { v1: 1.5 } }).success).toBe(false);
    expect(params.safeParse({ weights: { "v 1": 1 } }).success).toBe(false);
    expect(params.safeParse({ weights: { v1: 1 }, extra: true }).success).toBe(false);
  });

  // Fails today: the client shows the router's error code ("400 bad_request") and drops its
  // message. See the report of issue 8's tests.
  it("passes on the router's reason for refusing a change, and changes nothing", async () => {
    const before = router.state();
    await expect(apply("traffic.set_weights", { weights: { v3: 100 } })).rejects.toThrow(
      "the embedded router refused PUT /state: 400 weights: 'v3' is not an upstream of this router (upstreams: v1, v2)",
    );
    await expect(apply("traffic.set_weights", { weights: { v1: 0 } })).rejects.toThrow(
      /400 weights: at least one upstream needs a weight above 0/,
    );
    await expect(apply("traffic.switch", { to: "v9" })).rejects.toThrow(
      /'v9' is not an upstream of this router/,
    );
    await expect(apply("traffic.mirror", { to: "v9", duration: "100ms" })).rejects.toThrow(
      /400 mirror\.to: "v9" is not an upstream of this router/,
    );
    expect(router.state()).toEqual(before);
  });
});

describe("traffic.switch", () => {
  it("sends every request to the new version at once, and its inverse switches back", async () => {
    const params = { to: "v2", from: "v1" };
    const outcome = await apply("traffic.switch", params);
    expect(outcome.figures).toMatchObject({ serving: "v2" });
    expect(router.state().weights).toEqual({ v1: 0, v2: 100 });
    expect(await servedBy(10)).toEqual({ v2: 10 });
    expect(await verify("traffic.switch", params)).toBe(true);

    const def = action("traffic.switch");
    const inverse = def.inverse(def.params.parse(params));
    expect(inverse).toEqual({ action: "traffic.switch", params: { to: "v1", from: "v2" } });
    if (!("action" in inverse)) throw new Error("expected an action");
    await apply(inverse.action, inverse.params);
    expect(await servedBy(10)).toEqual({ v1: 10 });
    expect(await verify("traffic.switch", params)).toBe(false);
  });

  it("does not verify while the old version still takes a share, and without `from` its undo is manual", async () => {
    router.setState({ weights: { v1: 50, v2: 50 } });
    expect(await verify("traffic.switch", { to: "v2" })).toBe(false);
    const def = action("traffic.switch");
    expect(def.hasInverse({ to: "v2" })).toBe(false);
    expect(def.inverse(def.params.parse({ to: "v2" }))).toMatchObject({
      manual: expect.stringContaining("by hand"),
    });
  });
});

describe("traffic.mirror", () => {
  const shadow = {
    to: "v2",
    percent: 100,
    ignore_fields: ["version"],
    duration: "600ms",
    min_compared: 5,
  };

  it("copies requests to the new version while clients keep the old one's answers: 0 mismatches", async () => {
    const copiesBefore = v2.requests();
    const load = traffic();
    let outcome: Awaited<ReturnType<typeof apply>>;
    try {
      outcome = await apply("traffic.mirror", shadow);
    } finally {
      await load.stop();
    }
    expect(outcome.figures).toMatchObject({
      mismatched: 0,
      mirror_errors: 0,
      mismatch_rate: 0,
      mirror: "off",
    });
    expect(Number(outcome.figures?.compared)).toBeGreaterThanOrEqual(5);
    expect(v2.requests() - copiesBefore).toBeGreaterThanOrEqual(Number(outcome.figures?.compared));
    expect(load.servedBy).toEqual({ v1: expect.any(Number) });
    // the mirror is off again, as the step's verify expects
    expect(router.state().mirror).toBeNull();
    expect(await verify("traffic.mirror", shadow)).toBe(true);
  });

  it("fails when the answers differ (the version field compared), and turns the mirror off", async () => {
    const load = traffic();
    const step = apply("traffic.mirror", { ...shadow, ignore_fields: undefined });
    try {
      await expect(step).rejects.toThrow(
        /^shadow comparison failed: (\d+) of \1 answers of v2 differed \(100\.0%, at most 1\.0% allowed\)$/,
      );
    } finally {
      await load.stop();
    }
    await step.catch((error: unknown) => expect(changedNothing(error)).toBe(true));
    expect(router.state().mirror).toBeNull();
  });

  it("asks a person when too few requests were compared", async () => {
    const step = apply("traffic.mirror", { ...shadow, duration: "200ms" });
    await expect(step).rejects.toThrow(
      "shadow comparison inconclusive: 0 requests compared, 5 needed; approve the step to go on, or roll the run back",
    );
    await expect(step).rejects.toBeInstanceOf(NeedsDecisionError);
    expect(router.state().mirror).toBeNull();
  });

  it("keeps the mirror on when asked, and `to: null` (its inverse) turns it off", async () => {
    const kept = { ...shadow, duration: "100ms", min_compared: 1, keep: true };
    const load = traffic(1);
    try {
      await apply("traffic.mirror", kept);
    } finally {
      await load.stop();
    }
    expect(router.state().mirror).toMatchObject({ to: "v2", percent: 100, ignore_fields: ["version"] });
    expect(await verify("traffic.mirror", kept)).toBe(true);
    const def = action("traffic.mirror");
    const inverse = def.inverse(def.params.parse(kept));
    expect(inverse).toEqual({ action: "traffic.mirror", params: { to: null } });
    expect(await verify("traffic.mirror", { to: null })).toBe(false);
    const off = await apply("traffic.mirror", { to: null });
    expect(off.figures).toMatchObject({ mirror: "off" });
    expect(router.state().mirror).toBeNull();
    expect(await verify("traffic.mirror", { to: null })).toBe(true);
  });
});

describe("traffic.analyze", () => {
  const analysis = {
    baseline: "v1",
    canary: "v2",
    measurements: 2,
    interval: "500ms",
    min_requests: 3,
    // Latency is judged in analysis.test.ts; on a busy test machine loopback p99s jitter.
    latency_noise_ms: 1_000,
  };

  it("passes a healthy canary over every measurement, from the router's own figures", async () => {
    router.setState({ weights: { v1: 50, v2: 50 } });
    const context = stepContext();
    const load = traffic();
    let outcome: Awaited<ReturnType<typeof apply>>;
    try {
      outcome = await apply("traffic.analyze", analysis, context);
    } finally {
      await load.stop();
    }
    expect(outcome.figures).toMatchObject({
      verdict: "pass",
      measured: 2,
      passed: 2,
      failed: 0,
      canary_errors: 0,
    });
    expect(Number(outcome.figures?.canary_requests)).toBeGreaterThanOrEqual(6);
    expect(Number(outcome.figures?.baseline_requests)).toBeGreaterThanOrEqual(6);
    expect(context.lines).toHaveLength(2);
    expect(context.lines[0]).toMatch(/^measurement 1\/2: pass — v2 \d+ requests, errors 0\.0%/);
    expect(await verify("traffic.analyze", analysis)).toBe(true);
    expect(await verify("traffic.analyze", { ...analysis, measurements: 3 })).toBe(false);
  });

  it("fails a canary answering 500 half the time at the first measurement, without measuring on", async () => {
    router.setState({ weights: { v1: 50, v2: 50 } });
    v2.setFaults({ error_rate: 0.5 });
    const context = stepContext();
    const load = traffic();
    const step = apply("traffic.analyze", { ...analysis, measurements: 3 }, context);
    try {
      await expect(step).rejects.toThrow(
        /^canary analysis failed: 1 of 1 measurements failed \(error rate \d+\.\d% on the canary against 0\.0% on the baseline/,
      );
    } finally {
      await load.stop();
    }
    await step.catch((error: unknown) => {
      expect(changedNothing(error)).toBe(true);
      expect(needsDecision(error)).toBe(false);
    });
    expect(context.lines).toHaveLength(1);
    expect(context.lines[0]).toMatch(/^measurement 1\/3: fail/);
    expect(await verify("traffic.analyze", { ...analysis, measurements: 3 })).toBe(false);
  });

  it("is inconclusive without traffic, and asks a person with the figures", async () => {
    router.setState({ weights: { v1: 90, v2: 10 } });
    const step = apply("traffic.analyze", { ...analysis, measurements: 3, interval: "300ms" });
    await expect(step).rejects.toBeInstanceOf(NeedsDecisionError);
    const error = (await step.catch((e: unknown) => e)) as NeedsDecisionError;
    expect(error.message).toMatch(
      /^canary analysis inconclusive: 1 of 1 measurements could not decide \(too little traffic to compare \(the baseline had 0 requests, the canary had 0 requests; at least 3 needed\)\); approve the step to go on, or roll the run back$/,
    );
    // the first inconclusive window decides (inconclusive_limit 0): the other two are not measured
    expect(error.figures).toEqual({
      verdict: "inconclusive",
      measured: 1,
      passed: 0,
      failed: 0,
      inconclusive: 1,
      canary_requests: 0,
      canary_errors: 0,
      baseline_requests: 0,
      baseline_errors: 0,
    });
    expect(changedNothing(error)).toBe(true);
  });

  it("stops with a clear error when the run is paused meanwhile", async () => {
    const controller = new AbortController();
    const step = apply("traffic.analyze", { ...analysis, interval: "10s" }, stepContext(controller.signal));
    setTimeout(() => controller.abort(), 50);
    await expect(step).rejects.toThrow("the canary analysis was interrupted: the run was paused or stopped");
  });

  it("undoes nothing: it only reads the router's figures", () => {
    const def = action("traffic.analyze");
    expect(def.inverse(def.params.parse(analysis))).toEqual({
      nothing: "the analysis only read the router's statistics",
    });
    expect(def.risk(def.params.parse(analysis), {})).toMatchObject({ blast_radius: 0 });
  });
});

describe("snapshot", () => {
  it("is the same for the same shares (90/10 and 9/1), and differs once the route changes", async () => {
    router.setState({ weights: { v1: 90, v2: 10 } });
    const a = await trafficAdapter.snapshot(connection, "web");
    router.setState({ weights: { v1: 9, v2: 1 } });
    const b = await trafficAdapter.snapshot(connection, "web");
    expect(b.component).toBe("web");
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(b.checksums).toEqual(a.checksums);
    expect(JSON.parse(a.checksums.route ?? "")).toEqual({ shares: { v1: 0.9, v2: 0.1 }, mirror: null });

    router.setState({ weights: { v1: 50, v2: 50 } });
    const c = await trafficAdapter.snapshot(connection, "web");
    expect(c.fingerprint).not.toBe(a.fingerprint);

    router.setState({ weights: { v1: 90, v2: 10 }, mirror: { to: "v2", percent: 10 } });
    const d = await trafficAdapter.snapshot(connection, "web");
    expect(d.fingerprint).not.toBe(a.fingerprint);
    expect(JSON.parse(d.checksums.route ?? "").mirror).toEqual({ to: "v2", percent: 10 });
  });
});

describe("health checks", () => {
  const check = (id: string, type: HealthCheck["type"], params?: Record<string, unknown>): HealthCheck => ({
    id,
    type,
    stage: "pre",
    component: "web",
    timeout: "5s",
    ...(params ? { params } : {}),
  });

  it("checks what clients get, through the router", async () => {
    const up = await trafficAdapter.healthCheck(connection, check("route-up", "connectivity"));
    expect(up).toMatchObject({ check_id: "route-up", status: "pass", component: "web" });
    expect(up.message).toContain(router.url);
    const v1Serves = check("serves-v1", "functional", { path: "/version", expect_json: { version: "v1" } });
    expect((await trafficAdapter.healthCheck(connection, v1Serves)).status).toBe("pass");
    router.setState({ weights: { v1: 0, v2: 100 } });
    const after = await trafficAdapter.healthCheck(connection, v1Serves);
    expect(after.status).toBe("fail");
    expect(after.message).toContain("expect_json");
  });

  it("checks one upstream directly with params.upstream, whatever the weights", async () => {
    const green = check("v2-up", "functional", {
      upstream: "v2",
      path: "/version",
      expect_json: { version: "v2" },
    });
    const result = await trafficAdapter.healthCheck(connection, green);
    expect(result.status).toBe("pass");
    expect(result.message).toContain(v2.url);
    expect(router.state().weights).toEqual({ v1: 100, v2: 0 });
  });

  it("fails, naming the upstreams there are, for an upstream the route does not have", async () => {
    const result = await trafficAdapter.healthCheck(
      connection,
      check("v9-up", "connectivity", { upstream: "v9" }),
    );
    expect(result).toMatchObject({
      status: "fail",
      message: 'params.upstream: no upstream "v9" on this route (it has v1, v2)',
    });
  });

  it("fails, not throws, when the route does not answer", async () => {
    const gone = await startSampleService({ name: "gone" });
    await gone.close();
    const dead = await connect(component("web", router.adminUrl, { public_url: gone.url }));
    const result = await trafficAdapter.healthCheck(dead, check("route-up", "connectivity"));
    expect(result.status).toBe("fail");
  });
});
