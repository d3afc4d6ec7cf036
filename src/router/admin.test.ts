import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, countUpstreams, type FakeUpstream, startFakeUpstream } from "./fake-upstream.js";
import { startEmbeddedRouter } from "./router.js";
import type { EmbeddedRouter, RouterState } from "./types.js";

const TOKEN = "s3cret-admin-token-for-tests";
const auth = { authorization: `Bearer ${TOKEN}` };
let v1: FakeUpstream;
let v2: FakeUpstream;
let router: EmbeddedRouter;

beforeAll(async () => {
  v1 = await startFakeUpstream("v1");
  v2 = await startFakeUpstream("v2");
  router = await startEmbeddedRouter({
    upstreams: { v1: v1.url, v2: v2.url },
    weights: { v1: 100 },
    admin_token: TOKEN,
  });
});
afterAll(async () => {
  await router.close();
  await v1.close();
  await v2.close();
});

const put = (body: unknown, headers: Record<string, string> = auth) =>
  call(`${router.adminUrl}/state`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("admin API", () => {
  it("needs the bearer token, compares it exactly, and never echoes it", async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer wrong" },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const reply = await call(`${router.adminUrl}/state`, { headers });
      expect(reply.status).toBe(401);
      expect(reply.json()).toMatchObject({ error: "unauthorized" });
      expect(reply.text).not.toContain(TOKEN);
    }
    // Unknown paths are not revealed without the token either.
    expect((await call(`${router.adminUrl}/nope`)).status).toBe(401);
    expect((await put({ weights: { v2: 1 } }, {})).status).toBe(401);
    expect(router.state().weights).toEqual({ v1: 100, v2: 0 });
  });

  it("answers /healthz without the token", async () => {
    const reply = await call(`${router.adminUrl}/healthz`);
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ status: "ok" });
  });

  it("round-trips the state, and routes by what was put", async () => {
    const before = (await call(`${router.adminUrl}/state`, { headers: auth })).json() as RouterState;
    expect(before).toEqual({
      upstreams: { v1: v1.url, v2: v2.url },
      weights: { v1: 100, v2: 0 },
      mirror: null,
      generation: 1,
    });
    const mirror = { to: "v2", percent: 10, ignore_fields: ["version"], ignore_headers: true };
    const reply = await put({ weights: { v1: 1, v2: 3 }, mirror, expect_generation: 1 });
    expect(reply.status).toBe(200);
    const after = reply.json() as RouterState;
    expect(after).toEqual({ ...before, weights: { v1: 1, v2: 3 }, mirror, generation: 2 });
    expect((await call(`${router.adminUrl}/state`, { headers: auth })).json()).toEqual(after);
    expect(router.state()).toEqual(after);
    expect(await countUpstreams(router.url, 8)).toEqual({ v1: 2, v2: 6 });
    // A change of the mirror alone keeps the weights.
    const off = (await put({ mirror: null })).json() as RouterState;
    expect(off).toMatchObject({ weights: { v1: 1, v2: 3 }, mirror: null, generation: 3 });
  });

  it("answers 409 when expect_generation is stale, and changes nothing", async () => {
    const now = router.state();
    const reply = await put({ weights: { v1: 5 }, expect_generation: now.generation - 1 });
    expect(reply.status).toBe(409);
    expect(reply.json()).toMatchObject({ error: "generation_mismatch" });
    expect((reply.json() as { message: string }).message).toContain(
      `at generation ${now.generation}, not ${now.generation - 1}`,
    );
    expect(router.state()).toEqual(now);
  });

  it("answers 400 with a clear message for bad input, and changes nothing", async () => {
    const now = router.state();
    const cases: Array<[unknown, RegExp]> = [
      [{ weights: { v9: 1 } }, /'v9' is not an upstream of this router \(upstreams: v1, v2\)/],
      [{ weights: { v1: -1 } }, /v1 must be an integer ≥ 0, not -1/],
      [{ weights: { v1: 1.5 } }, /v1 must be an integer ≥ 0, not 1.5/],
      [{ weights: { v1: 0, v2: 0 } }, /at least one upstream needs a weight above 0/],
      [{ mirror: { to: "v9", percent: 10 } }, /mirror.to: "v9" is not an upstream/],
      [{ mirror: { to: "v2", percent: 0 } }, /mirror.percent must be a number from 1 to 100, not 0/],
      [{ mirror: { to: "v2", percent: 101 } }, /mirror.percent must be a number from 1 to 100, not 101/],
      [{ mirror: { to: "v2", percent: 5, ignore_fields: "version" } }, /ignore_fields must be a list/],
      [{ mirror: { to: "v2", percent: 5, colour: "red" } }, /mirror: unknown key 'colour'/],
      [{ weight: { v1: 1 } }, /unknown key 'weight'/],
      [{ expect_generation: "3" }, /expect_generation must be an integer/],
      [[1, 2], /must be a JSON object/],
      ["{not json", /not valid JSON/],
    ];
    for (const [body, message] of cases) {
      const reply = await put(body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.json()).toMatchObject({ error: "bad_request" });
      expect((reply.json() as { message: string }).message).toMatch(message);
    }
    expect(router.state()).toEqual(now);
  });

  it("allows a mirror to the upstream that takes all the traffic", async () => {
    const reply = await put({ weights: { v1: 1, v2: 0 }, mirror: { to: "v1", percent: 100 } });
    expect(reply.status).toBe(200);
    await put({ mirror: null });
  });

  it("serves /stats for a window, and refuses a bad one", async () => {
    const since = Date.now();
    await call(`${router.url}/`);
    const reply = await call(`${router.adminUrl}/stats?since=${since}`, { headers: auth });
    expect(reply.status).toBe(200);
    const stats = reply.json() as { total: { requests: number }; since: number; until: number };
    expect(stats.since).toBe(since);
    expect(stats.until).toBeGreaterThan(since);
    expect(stats.total.requests).toBe(1);
    const missing = await call(`${router.adminUrl}/stats`, { headers: auth });
    expect(missing.status).toBe(400);
    expect((missing.json() as { message: string }).message).toContain("since is required");
    const bad = await call(`${router.adminUrl}/stats?since=yesterday`, { headers: auth });
    expect((bad.json() as { message: string }).message).toContain(
      "since must be a time in epoch milliseconds",
    );
    const backwards = await call(`${router.adminUrl}/stats?since=20&until=10`, { headers: auth });
    expect(backwards.status).toBe(400);
  });

  it("answers 404 in JSON on an unknown path, 405 on a wrong method", async () => {
    const reply = await call(`${router.adminUrl}/weights`, { headers: auth });
    expect(reply.status).toBe(404);
    expect(reply.json()).toMatchObject({ error: "not_found" });
    expect((await call(`${router.adminUrl}/state`, { method: "DELETE", headers: auth })).status).toBe(405);
  });

  it("refuses browsers and foreign Host headers (DNS rebinding)", async () => {
    const origin = await call(`${router.adminUrl}/state`, {
      headers: { ...auth, origin: "http://evil.example" },
    });
    expect(origin.status).toBe(403);
    const host = await call(`${router.adminUrl}/state`, { headers: { ...auth, host: "evil.example" } });
    expect(host.status).toBe(403);
  });
});

describe("admin API without a token", () => {
  it("serves the state to anyone on this machine", async () => {
    const r = await startEmbeddedRouter({ upstreams: { v1: v1.url }, weights: { v1: 1 } });
    try {
      const reply = await call(`${r.adminUrl}/state`);
      expect(reply.status).toBe(200);
      expect(reply.json()).toMatchObject({ weights: { v1: 1 }, generation: 1 });
    } finally {
      await r.close();
    }
  });

  it("applies the same checks to setState in process", async () => {
    const r = await startEmbeddedRouter({ upstreams: { v1: v1.url, v2: v2.url }, weights: { v1: 1 } });
    try {
      expect(() => r.setState({ weights: { v1: 0 } })).toThrow(/at least one upstream needs a weight/);
      expect(() => r.setState({ weights: { v2: 1 }, expect_generation: 7 })).toThrow(/not 7/);
      expect(r.setState({ weights: { v2: 1 } })).toMatchObject({ weights: { v1: 0, v2: 1 }, generation: 2 });
      // What state() returns is a copy: changing it changes nothing.
      const copy = r.state();
      copy.weights.v1 = 50;
      expect(r.state().weights.v1).toBe(0);
    } finally {
      await r.close();
    }
  });
});
