import { describe, expect, it } from "vitest";
import type { TrafficDiscovery } from "../../adapters/traffic/discover.js";
import { deploymentPlan, targetOf } from "./deployment-plan.js";
import { type DeploymentIntent, parseDeployment } from "./deployment-request.js";

/** A route as discovery reports it: upstreams as [name, version answered, weight]. */
function route(id: string, upstreams: Array<[string, string | null, number]>) {
  const discovery: TrafficDiscovery = {
    kind: "traffic",
    router: "embedded",
    public_url: "http://127.0.0.1:8080",
    generation: 1,
    upstreams: upstreams.map(([name, version, weight], i) => ({
      name,
      url: `http://127.0.0.1:${9001 + i}`,
      weight,
      version,
      reachable: true,
    })),
    mirror: null,
  };
  return { id, discovery };
}

const web = route("web", [
  ["v1", "v1", 100],
  ["v2", "v2", 0],
]);
const api = route("api", [
  ["blue", "1.4.0", 100],
  ["green", "1.5.0", 0],
]);

const intent = (request: string, routes = [web]) => parseDeployment(request, routes);

describe("parseDeployment: the pattern, by the words of the request", () => {
  it.each([
    ["canary v2", "canary"],
    ["deploy v2 as a canary", "canary"],
    ["release v2 with canaries", "canary"],
    ["blue-green deploy of v2", "blue-green"],
    ["deploy v2 blue green", "blue-green"],
    ["switch traffic to v2", "blue-green"],
    ["cut over to v2", "blue-green"],
    ["roll out v2 gradually", "rolling"],
    ["a rolling deploy of v2", "rolling"],
    ["release v2 step by step", "rolling"],
    ["shadow v2", "shadow"],
    ["mirror traffic to v2", "shadow"],
    ["ship v2 as a dark launch", "shadow"],
  ] as const)("%s → %s", (request, pattern) => {
    expect(intent(request)).toMatchObject({ kind: "deployment", pattern, said: true, route: "web" });
  });

  it("chooses a canary when no pattern is said: it judges v2 on a share of real traffic first", () => {
    expect(intent("deploy v2")).toEqual({
      kind: "deployment",
      pattern: "canary",
      route: "web",
      versions: ["v2"],
      said: false,
    });
    expect(intent("Upgrade web to V2")).toMatchObject({ pattern: "canary", said: false, versions: ["v2"] });
  });

  it("takes the canary before another pattern the request also names", () => {
    expect(intent("canary v2, then switch traffic over")).toMatchObject({ pattern: "canary" });
  });

  it("is not about a deployment without deployment words, or without a route", () => {
    expect(intent("add a column email to users")).toBeUndefined();
    expect(intent("rename v2 to v3")).toBeUndefined();
    expect(parseDeployment("deploy v2", [])).toBeUndefined();
  });
});

describe("parseDeployment: the route", () => {
  it("is the only one when the system has one, named or not", () => {
    expect(intent("deploy v2")).toMatchObject({ route: "web" });
    expect(intent("deploy v2 on web")).toMatchObject({ route: "web" });
  });

  it("is the one named when there are several, as a whole word, in any case", () => {
    expect(intent("deploy 1.5.0 on api", [web, api])).toMatchObject({ route: "api", versions: ["1.5.0"] });
    expect(intent("canary v2 on WEB", [web, api])).toMatchObject({ route: "web", versions: ["v2"] });
  });

  it("asks which, listing them, when several could be meant", () => {
    const reason = "say which route to deploy on: the system has web, api";
    expect(intent("deploy v2", [web, api])).toEqual({ kind: "unknown", reason });
    expect(intent("deploy v2 on the website", [web, api])).toEqual({ kind: "unknown", reason });
    expect(intent("deploy v2 on web and green on api", [web, api])).toEqual({ kind: "unknown", reason });
  });

  // Fails today: `\bweb\b` also matches inside "shop-web", so both routes count as named and the
  // request is refused as ambiguous. See the report of issue 8's tests.
  it("takes an id with a dash whole, not as the other route it ends with", () => {
    const shop = route("shop-web", [
      ["v1", "v1", 100],
      ["v2", "v2", 0],
    ]);
    expect(intent("deploy v2 on shop-web", [web, shop])).toMatchObject({ route: "shop-web" });
  });
});

describe("parseDeployment: the versions", () => {
  it("lists the versions named, by upstream name or by the version answered, in the order named", () => {
    expect(intent("upgrade web from v1 to v2")).toMatchObject({ versions: ["v1", "v2"] });
    expect(intent("upgrade web to v2 from v1")).toMatchObject({ versions: ["v2", "v1"] });
    expect(intent("switch from blue to 1.5.0", [api])).toMatchObject({ versions: ["blue", "1.5.0"] });
    expect(intent("deploy", [web])).toMatchObject({ versions: [] });
  });

  it("does not take a version for a longer one it begins (v1 in v10, 1.5 in 1.5.0)", () => {
    const many = route("web", [
      ["v1", "v1", 100],
      ["v10", "v10", 0],
    ]);
    expect(intent("deploy v10", [many])).toMatchObject({ versions: ["v10"] });
    const minor = route("web", [
      ["a", "1.5", 100],
      ["b", "1.5.1", 0],
    ]);
    expect(intent("deploy 1.5.1", [minor])).toMatchObject({ versions: ["1.5.1"] });
  });

  it("refuses a version no upstream runs, naming it and what runs, rather than deploying another", () => {
    expect(intent("deploy v3")).toEqual({
      kind: "unknown",
      reason:
        "route 'web' runs no version 'v3' (its upstreams: v1 (v1), v2 (v2)); start that version behind the router first",
    });
    expect(intent("canary v2.1 on web")).toMatchObject({
      kind: "unknown",
      reason: expect.stringContaining("'v2.1'"),
    });
    expect(intent("deploy 1.6.0 or 1.7.0", [api])).toMatchObject({
      kind: "unknown",
      reason: expect.stringMatching(
        /^route 'api' runs no version '1\.6\.0' or '1\.7\.0' \(its upstreams: blue \(1\.4\.0\), green \(1\.5\.0\)\)/,
      ),
    });
  });

  // Fails today: a decimal that is a duration or a share is read as a version and the request is
  // refused ("route 'web' runs no version '1.5'"). See the report of issue 8's tests.
  it("does not take a duration or a share for a version", () => {
    expect(intent("roll out v2 on web over 1.5 hours")).toMatchObject({
      kind: "deployment",
      versions: ["v2"],
    });
    expect(intent("canary v2 at 2.5% first")).toMatchObject({ kind: "deployment", versions: ["v2"] });
  });
});

describe("parseDeployment: the first share", () => {
  it("reads a percentage said as % or percent", () => {
    expect(intent("canary v2 at 10%")).toMatchObject({ first: 10 });
    expect(intent("canary v2 at 5 %")).toMatchObject({ first: 5 });
    expect(intent("send 25 percent of traffic to v2 as a canary")).toMatchObject({ first: 25 });
  });

  it("leaves it out when none is said, or for all of the traffic", () => {
    expect(intent("canary v2")).not.toHaveProperty("first");
    expect(intent("switch 100% of traffic to v2")).not.toHaveProperty("first");
  });
});

describe("from the request to the plan", () => {
  const deployment = (request: string) => intent(request) as DeploymentIntent;

  it("moves to the version named that is not serving, however the request orders them", () => {
    expect(targetOf(deployment("upgrade web from v1 to v2"), web.discovery)).toMatchObject({
      current: "v1",
      next: "v2",
    });
    expect(targetOf(deployment("upgrade web to v2 from v1"), web.discovery)).toMatchObject({
      current: "v1",
      next: "v2",
    });
    expect(targetOf(deployment("deploy"), web.discovery)).toMatchObject({ next: "v2" });
  });

  it("starts the canary at the share said, and notes a pattern that was chosen, not said", () => {
    const said = deployment("canary v2 at 5%");
    const plan = deploymentPlan(said, targetOf(said, web.discovery), {
      request: "canary v2 at 5%",
      now: new Date("2026-11-25T10:00:00Z"),
      component: { id: "web", kind: "traffic", connection: "http://127.0.0.1:9000" },
      metadata: {},
    });
    expect(plan.notes).toEqual([]);
    const steps = plan.builder.build().phases.flatMap((p) => p.steps);
    expect(steps[0]).toMatchObject({
      action: "traffic.set_weights",
      params: { weights: { v1: 95, v2: 5 }, previous: { v1: 100, v2: 0 } },
    });
    const chosen = deployment("deploy v2");
    const defaulted = deploymentPlan(chosen, targetOf(chosen, web.discovery), {
      request: "deploy v2",
      now: new Date("2026-11-25T10:00:00Z"),
      component: { id: "web", kind: "traffic", connection: "http://127.0.0.1:9000" },
      metadata: {},
    });
    expect(defaulted.notes).toEqual([
      "no pattern was named: a canary, which judges the new version on a share of real traffic first",
    ]);
    expect(defaulted.builder.build().phases[0]?.steps[0]?.params).toMatchObject({
      weights: { v1: 90, v2: 10 },
    });
  });
});
