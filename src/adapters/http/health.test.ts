import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SampleService, startSampleService } from "../../sample-service/sample-service.js";
import { httpAdapter } from "./adapter.js";
import type { HttpConnection } from "./connection.js";
import { check, closedUrl, connect, startServer } from "./fixtures.contract.js";

let service: SampleService;
let api: HttpConnection;
beforeAll(async () => {
  service = await startSampleService({ name: "v1" });
  api = await connect(service.url);
});
afterAll(() => service.close());

const run = (c: ReturnType<typeof check>, baseline?: Parameters<typeof httpAdapter.healthCheck>[2]) =>
  httpAdapter.healthCheck(api, c, baseline);

describe("http connectivity", () => {
  it("passes on a 2xx of the health path, and on a 3xx without following it", async () => {
    const result = await run(check("connectivity"));
    expect(result, result.message).toMatchObject({ status: "pass", check_id: "c", type: "connectivity" });
    expect(result.figures).toMatchObject({ status: 200, latency_ms: expect.any(Number), timeout_ms: 5000 });
  });

  it("passes on a redirect, which it does not follow", async () => {
    const redirecting = await startServer((_req, res) =>
      res.writeHead(302, { location: "http://example.invalid/" }).end(),
    );
    try {
      const result = await httpAdapter.healthCheck(await connect(redirecting.url), check("connectivity"));
      expect(result, result.message).toMatchObject({ status: "pass", figures: { status: 302 } });
    } finally {
      await redirecting.close();
    }
  });

  it("fails on a 404, and on an unreachable service, as a result", async () => {
    const missing = await run(check("connectivity", { path: "/nope" }));
    expect(missing.status).toBe("fail");
    expect(missing.message).toMatch(/GET .*\/nope answered 404 \(expected 2xx or 3xx\): \{"error":/);
    const down = await httpAdapter.healthCheck(await connect(await closedUrl()), check("connectivity"));
    expect(down.status).toBe("fail");
    expect(down.message).toMatch(/connectivity check on .* failed: GET .*\/healthz: connection refused/);
  });

  it("fails within its timeout", async () => {
    const slow = await startSampleService({ name: "slow", latency_ms: 2_000 });
    try {
      const result = await httpAdapter.healthCheck(
        await connect(slow.url),
        check("connectivity", { path: "/orders/1" }, "200ms"),
      );
      expect(result.status).toBe("fail");
      expect(result.message).toMatch(/no answer within 200ms/);
      expect(result.duration_ms).toBeLessThan(1_500);
    } finally {
      await slow.close();
    }
  });
});

describe("http functional", () => {
  it("passes on the expected status and a JSON subset", async () => {
    const result = await run(
      check("functional", { path: "/orders/7", expect_json: { id: 7, currency: "EUR", version: "v1" } }),
    );
    expect(result, result.message).toMatchObject({ status: "pass" });
    expect(result.figures).toEqual({ status: 200, duration_ms: expect.any(Number) });
    const notFound = await run(check("functional", { path: "/orders/x", expect_status: 404 }));
    expect(notFound.status, notFound.message).toBe("pass");
  });

  it.each([
    [
      { path: "/orders/7", expect_json: { version: "v2" } },
      /does not match expect_json: \$\.version: expected "v2", got "v1"/,
    ],
    [{ path: "/orders/x" }, /GET .*\/orders\/x answered 404, expected 200: \{"error":"no order/],
    [{ path: "/orders/7", expect_json: { lines: [] } }, /\$\.lines: missing/],
    [{ path: "orders" }, /params\.path: expected a path/],
    [{ path: "/orders/7", expect_status: "200" }, /params\.expect_status/],
    [
      { path: "/orders/7", headers: { authorization: "env:NO_SUCH_TOKEN" } },
      /headers\.authorization: environment variable NO_SUCH_TOKEN is not set/,
    ],
  ])("fails %j", async (params, message) => {
    const result = await run(check("functional", params));
    expect(result.status).toBe("fail");
    expect(result.message).toMatch(message);
  });

  it("fails when the answer is not JSON", async () => {
    const text = await startServer((_req, res) => res.end("<html>ok</html>"));
    try {
      const result = await httpAdapter.healthCheck(
        await connect(text.url),
        check("functional", { path: "/", expect_json: { ok: true } }),
      );
      expect(result.status).toBe("fail");
      expect(result.message).toMatch(/GET .* answered 200 but not with JSON: <html>ok<\/html>/);
    } finally {
      await text.close();
    }
  });
});

describe("http performance", () => {
  it("measures percentiles over the probes and passes under max_ms", async () => {
    const before = service.requests();
    const result = await run(
      check("performance", { path: "/orders/3", probes: 20, concurrency: 4, max_ms: 1_000 }),
    );
    expect(result, result.message).toMatchObject({ status: "pass" });
    expect(result.figures).toMatchObject({ probes: 20, errors: 0, threshold_ms: 1_000 });
    for (const k of ["p50_ms", "p95_ms", "p99_ms"]) expect(result.figures[k]).toEqual(expect.any(Number));
    expect(service.requests() - before).toBe(21); // the probes and one warm-up
    expect(result.message).toMatch(/p50 .*ms, p95 .*ms, p99 .*ms over 20 probes/);
  });

  it("fails on any probe error, on a percentile over max_ms", async () => {
    const faulty = await startSampleService({ name: "v2", error_rate: 1 });
    try {
      const errors = await httpAdapter.healthCheck(
        await connect(faulty.url),
        check("performance", { path: "/orders/3", probes: 10 }),
      );
      expect(errors.status).toBe("fail");
      expect(errors.figures.errors).toBe(10);
      expect(errors.message).toMatch(/10 of 10 probes failed \(first: 500: \{"error":"simulated fault"\}\)/);
      faulty.setFaults({ error_rate: 0, latency_ms: 30 });
      const slow = await httpAdapter.healthCheck(
        await connect(faulty.url),
        check("performance", { path: "/orders/3", probes: 5, percentile: "p50", max_ms: 10 }),
      );
      expect(slow.status).toBe("fail");
      expect(slow.message).toMatch(/p50 \d+(\.\d+)?ms > 10ms/);
    } finally {
      await faulty.close();
    }
  });

  it("compares with the baseline: a regression fails, noise does not", async () => {
    const params = { path: "/orders/3", probes: 10, percentile: "p95", against: "baseline" };
    const baseline = await run(check("performance", params));
    expect(baseline.status, baseline.message).toBe("pass");
    expect(baseline.message).toMatch(/no baseline yet: this measurement is the baseline/);

    service.setFaults({ latency_ms: 100 });
    try {
      const regressed = await run(check("performance", params), baseline);
      expect(regressed.status).toBe("fail");
      expect(regressed.message).toMatch(
        /p95 \d+(\.\d+)?ms > \d+(\.\d+)?ms \(more than 20% over the baseline/,
      );
      expect(regressed.figures).toMatchObject({ baseline_p95_ms: baseline.figures.p95_ms });
    } finally {
      service.setFaults({ latency_ms: 0 });
    }

    // A tiny baseline: 20% over it would be a microsecond; the floor (5ms unless given) is what counts.
    const tiny = { ...baseline, figures: { ...baseline.figures, p95_ms: 0.01 } };
    const floored = await run(check("performance", params), tiny);
    expect(floored.figures.allowed_ms).toBe(5.01);
    const noise = await run(check("performance", { ...params, noise_ms: 50 }), tiny);
    expect(noise.status, noise.message).toBe("pass");
    expect(noise.message).toMatch(/\(baseline p95 0.01ms, allowed 50.01ms\)/);
    const strict = await run(check("performance", { ...params, noise_ms: 0, max_regression_pct: 0 }), tiny);
    expect(strict.status, strict.message).toBe("fail");
  });

  it("fails when the probes take longer than the check's timeout", async () => {
    const slow = await startSampleService({ name: "slow", latency_ms: 100 });
    try {
      const result = await httpAdapter.healthCheck(
        await connect(slow.url),
        check("performance", { path: "/orders/1", probes: 50 }, "500ms"),
      );
      expect(result.status).toBe("fail");
      expect(result.message).toMatch(/the probes took longer than 500ms \(\d+ of 50 done\)/);
    } finally {
      await slow.close();
    }
  });
});

describe("other check types", () => {
  it.each(["data_integrity", "capacity"] as const)(
    "fails %s, saying the adapter does not run it",
    async (type) => {
      const result = await run(check(type, {}));
      expect(result.status).toBe("fail");
      expect(result.message).toMatch(
        `the http adapter runs connectivity, functional and performance checks, not ${type}`,
      );
    },
  );
});
