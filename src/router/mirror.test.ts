import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { type Answer, compareAnswers } from "./compare.js";
import { call, type FakeUpstream, startFakeUpstream } from "./fake-upstream.js";
import { startEmbeddedRouter } from "./router.js";
import type { EmbeddedRouter, MirrorSpec, MirrorStats } from "./types.js";

const answer = (status: number, text: string | null, digestOf = text ?? ""): Answer => ({
  status,
  body: {
    bytes: text === null ? null : Buffer.from(text),
    sha256: createHash("sha256").update(digestOf).digest("hex"),
  },
});

describe("compareAnswers", () => {
  it("compares JSON deeply, without the ignored top-level fields", () => {
    const a = answer(200, '{"id":1,"tags":["x"],"version":"v1"}');
    const b = answer(200, '{ "version": "v2", "tags": ["x"], "id": 1 }');
    expect(compareAnswers(a, b, ["version"])).toEqual({ same: true });
    expect(compareAnswers(a, b)).toEqual({ same: false, reason: "JSON bodies differ at 'version'" });
    expect(compareAnswers(a, answer(200, '{"id":2,"tags":["y"],"version":"v1"}'))).toEqual({
      same: false,
      reason: "JSON bodies differ at 'id', 'tags'",
    });
  });

  it("compares the status first", () => {
    expect(compareAnswers(answer(200, "{}"), answer(500, "{}"))).toEqual({
      same: false,
      reason: "status 200 ≠ 500",
    });
  });

  it("compares other bodies byte for byte, and bodies over 1 MB by digest", () => {
    expect(compareAnswers(answer(200, "hello"), answer(200, "hello"))).toEqual({ same: true });
    expect(compareAnswers(answer(200, "hello"), answer(200, "hellO"))).toMatchObject({
      same: false,
      reason: "bodies differ (not both JSON, compared byte for byte)",
    });
    expect(compareAnswers(answer(200, null, "big"), answer(200, null, "big"))).toEqual({ same: true });
    expect(compareAnswers(answer(200, null, "big"), answer(200, null, "bog"))).toMatchObject({
      same: false,
      reason: "bodies differ (over 1 MB, compared by sha256)",
    });
  });
});

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function upstream(
  name: string,
  options?: Parameters<typeof startFakeUpstream>[1],
): Promise<FakeUpstream> {
  const fake = await startFakeUpstream(name, options);
  cleanup.push(fake.close);
  return fake;
}

/** v1 takes the traffic; v2 answers the same JSON with another version (or what `shadow` says). */
async function shadowed(mirror: MirrorSpec, shadow: Parameters<typeof startFakeUpstream>[1] = {}) {
  const v1 = await upstream("v1", { body: () => ({ items: [1, 2, 3], version: "v1" }) });
  const v2 = await upstream("v2", { body: () => ({ items: [1, 2, 3], version: "v2" }), ...shadow });
  const router = await startEmbeddedRouter({
    upstreams: { v1: v1.url, v2: v2.url },
    weights: { v1: 100, v2: 0 },
    mirror,
  });
  cleanup.push(router.close);
  return { v1, v2, router };
}

/** The mirror figures since `since`, once `done` says the comparisons have all finished. */
async function mirrorStats(router: EmbeddedRouter, since: number, done: (m: MirrorStats) => boolean) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const { mirror } = router.stats({ since });
    if (done(mirror) || Date.now() > deadline) return mirror;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("mirror", () => {
  it("finds no mismatch when only an ignored field differs, and the client gets the primary's answer", async () => {
    const { router } = await shadowed({ to: "v2", percent: 100, ignore_fields: ["version"] });
    const since = Date.now();
    for (let i = 0; i < 20; i++) {
      const reply = await call(`${router.url}/items`);
      expect(reply.headers["x-ma-upstream"]).toBe("v1");
      expect(reply.json()).toEqual({ items: [1, 2, 3], version: "v1" });
    }
    const mirror = await mirrorStats(router, since, (m) => m.compared >= 20);
    expect(mirror).toEqual({ compared: 20, mismatched: 0, mirror_errors: 0, mismatch_rate: 0, samples: [] });
  });

  it("finds every answer different when the field is not ignored, with at most 5 samples", async () => {
    const { router } = await shadowed({ to: "v2", percent: 100 });
    const since = Date.now();
    for (let i = 0; i < 20; i++) await call(`${router.url}/items/${i}?secret=q`);
    const mirror = await mirrorStats(router, since, (m) => m.compared >= 20);
    expect(mirror).toMatchObject({ compared: 20, mismatched: 20, mirror_errors: 0, mismatch_rate: 1 });
    expect(mirror.samples).toHaveLength(5);
    expect(mirror.samples[0]).toEqual({
      path: expect.stringMatching(/^\/items\/\d+$/),
      primary_status: 200,
      mirror_status: 200,
      reason: "JSON bodies differ at 'version'",
    });
  });

  it("counts a mirror that answers 500 as mismatches", async () => {
    const { router } = await shadowed(
      { to: "v2", percent: 100, ignore_fields: ["version"] },
      { status: 500 },
    );
    const since = Date.now();
    for (let i = 0; i < 10; i++) expect((await call(`${router.url}/items`)).status).toBe(200);
    const mirror = await mirrorStats(router, since, (m) => m.compared >= 10);
    expect(mirror).toMatchObject({ compared: 10, mismatched: 10, mismatch_rate: 1 });
    expect(mirror.samples[0]).toMatchObject({
      primary_status: 200,
      mirror_status: 500,
      reason: "status 200 ≠ 500",
    });
    // The mirror's 500s are not the clients': they saw none.
    expect(router.stats({ since }).total).toMatchObject({ requests: 10, errors: 0 });
  });

  it("copies exactly `percent` of the requests, with their method and body", async () => {
    const { v2, router } = await shadowed({ to: "v2", percent: 10, ignore_fields: ["version"] });
    const since = Date.now();
    for (let i = 0; i < 100; i++)
      await call(`${router.url}/orders`, { method: "POST", body: "x".repeat(i + 1) });
    const mirror = await mirrorStats(router, since, (m) => m.compared >= 10);
    expect(mirror.compared).toBe(10);
    expect(v2.seen).toHaveLength(10);
    expect(v2.seen.map((s) => [s.method, s.bytes])).toEqual(
      Array.from({ length: 10 }, (_, i) => ["POST", (i + 1) * 10]),
    );
  });

  it("never makes the client wait for a slow mirror", async () => {
    const { router } = await shadowed(
      { to: "v2", percent: 100, ignore_fields: ["version"] },
      { delayMs: 600 },
    );
    const since = Date.now();
    const started = performance.now();
    const reply = await call(`${router.url}/items`);
    expect(reply.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(400);
    expect(router.stats({ since }).mirror.compared).toBe(0);
    const mirror = await mirrorStats(router, since, (m) => m.compared >= 1);
    expect(mirror).toMatchObject({ compared: 1, mismatched: 0 });
  });

  it("counts a mirror that cannot be reached as a mirror error, not a mismatch", async () => {
    const { v2, router } = await shadowed({ to: "v2", percent: 100 });
    await v2.close();
    const since = Date.now();
    for (let i = 0; i < 3; i++) expect((await call(`${router.url}/items`)).status).toBe(200);
    const mirror = await mirrorStats(router, since, (m) => m.mirror_errors >= 3);
    expect(mirror).toMatchObject({ compared: 0, mismatched: 0, mirror_errors: 3, mismatch_rate: null });
    expect(mirror.samples[0]).toMatchObject({
      mirror_status: 0,
      reason: expect.stringContaining("ECONNREFUSED"),
    });
  });

  it("does not mirror a body over 1 MB", async () => {
    const { v2, router } = await shadowed({ to: "v2", percent: 100 });
    const reply = await call(`${router.url}/upload`, { method: "POST", body: Buffer.alloc(1024 * 1024 + 1) });
    expect(reply.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(v2.seen).toHaveLength(0);
  });

  it("compares a version with itself when mirroring to the upstream that serves", async () => {
    const { router } = await shadowed({ to: "v1", percent: 100 });
    const since = Date.now();
    for (let i = 0; i < 5; i++) await call(`${router.url}/items`);
    const mirror = await mirrorStats(router, since, (m) => m.compared >= 5);
    expect(mirror).toMatchObject({ compared: 5, mismatched: 0, mismatch_rate: 0 });
  });
});
