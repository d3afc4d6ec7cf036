import { describe, expect, it } from "vitest";
import { call, startFakeUpstream } from "./fake-upstream.js";
import { MirrorLog } from "./mirror-log.js";
import { RequestLog } from "./request-log.js";
import { startEmbeddedRouter } from "./router.js";
import { summarize } from "./summarize.js";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("summarize", () => {
  it("gives nearest-rank percentiles, the mean and the errors", () => {
    const records = Array.from({ length: 100 }, (_, i) => ({
      status: i < 3 ? 503 : 200,
      latencyMs: 100 - i,
    }));
    records.push({ status: 0, latencyMs: 0.5 });
    expect(summarize(records)).toEqual({
      requests: 101,
      errors: 4,
      p50_ms: 50,
      p95_ms: 95,
      p99_ms: 99,
      mean_ms: 50.005,
    });
  });

  it("gives nulls for an empty window", () => {
    expect(summarize([])).toEqual({
      requests: 0,
      errors: 0,
      p50_ms: null,
      p95_ms: null,
      p99_ms: null,
      mean_ms: null,
    });
  });

  it("does not count a client that went away (499) as an error", () => {
    expect(summarize([{ status: 499, latencyMs: 1 }]).errors).toBe(0);
  });
});

describe("RequestLog", () => {
  it("keeps the records of a half-open window [since, until)", () => {
    const log = new RequestLog();
    for (let t = 1000; t < 1010; t++) log.add(t, 200, t - 1000);
    expect(log.window(1003, 1006).map((r) => r.latencyMs)).toEqual([3, 4, 5]);
  });

  it("forgets records older than its retention", () => {
    const log = new RequestLog({ ms: 100, records: 1000 });
    log.add(1000, 200, 1);
    log.add(1050, 200, 2);
    log.add(1120, 200, 3);
    expect(log.window(0, 2000).map((r) => r.latencyMs)).toEqual([2, 3]);
  });

  it("keeps at most its number of records, growing and wrapping around", () => {
    const log = new RequestLog({ ms: 1e9, records: 3000 });
    for (let i = 0; i < 7500; i++) log.add(i, i % 2 ? 200 : 500, i);
    const kept = log.window(0, 1e9);
    expect(kept).toHaveLength(3000);
    expect(kept[0]).toEqual({ status: 500, latencyMs: 4500 });
    expect(kept.at(-1)).toEqual({ status: 200, latencyMs: 7499 });
  });
});

describe("MirrorLog", () => {
  it("counts a window's comparisons and keeps at most 5 samples", () => {
    const log = new MirrorLog();
    const sample = (i: number) => ({
      path: `/p${i}`,
      primary_status: 200,
      mirror_status: 500,
      reason: "status",
    });
    for (let i = 0; i < 10; i++)
      log.add(100 + i, i < 4 ? { kind: "match" } : { kind: "mismatch", sample: sample(i) });
    log.add(120, { kind: "error", sample: sample(99) });
    log.add(200, { kind: "match" });
    const window = log.window(100, 200);
    expect(window).toMatchObject({ compared: 10, mismatched: 6, mirror_errors: 1, mismatch_rate: 0.6 });
    expect(window.samples.map((s) => s.path)).toEqual(["/p4", "/p5", "/p6", "/p7", "/p8"]);
    expect(log.window(300, 400)).toEqual({
      compared: 0,
      mismatched: 0,
      mirror_errors: 0,
      mismatch_rate: null,
      samples: [],
    });
  });
});

describe("router stats", () => {
  it("counts errors and latencies per upstream within the window only", async () => {
    const v1 = await startFakeUpstream("v1");
    const v2 = await startFakeUpstream("v2");
    const router = await startEmbeddedRouter({ upstreams: { v1: v1.url, v2: v2.url }, weights: { v1: 1 } });
    try {
      for (let i = 0; i < 5; i++) await call(`${router.url}/before?status=500`);
      await pause(5);
      const since = Date.now();
      for (let i = 0; i < 4; i++) await call(`${router.url}/in?status=${i < 3 ? 503 : 200}`);
      router.setState({ weights: { v2: 1 } });
      for (let i = 0; i < 9; i++) await call(`${router.url}/fast`);
      await call(`${router.url}/slow?delay=150`);
      const until = Date.now() + 1;
      await pause(5);
      for (let i = 0; i < 5; i++) await call(`${router.url}/after?status=500`);

      const stats = router.stats({ since, until });
      expect(stats).toMatchObject({ since, until });
      expect(stats.upstreams.v1).toMatchObject({ requests: 4, errors: 3 });
      const fast = stats.upstreams.v2;
      expect(fast).toMatchObject({ requests: 10, errors: 0 });
      expect(fast?.p50_ms).toBeLessThan(100);
      expect(fast?.p95_ms).toBeGreaterThanOrEqual(150);
      expect(fast?.p99_ms).toBeGreaterThanOrEqual(150);
      expect(fast?.mean_ms).toBeGreaterThanOrEqual(15);
      expect(stats.total).toMatchObject({ requests: 14, errors: 3 });
      // The default window ends now: everything since, including the requests after `until`.
      expect(router.stats({ since }).total).toMatchObject({ requests: 19, errors: 8 });
    } finally {
      await router.close();
      await v1.close();
      await v2.close();
    }
  });
});
