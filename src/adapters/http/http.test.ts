import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SampleService, startSampleService } from "../../sample-service/sample-service.js";
import { createHttpAdapter, httpAdapter } from "./adapter.js";
import { closedUrl, component, connect, startServer } from "./fixtures.contract.js";
import { jsonMismatch } from "./json-match.js";

let v1: SampleService;
let v2: SampleService;
beforeAll(async () => {
  [v1, v2] = await Promise.all([startSampleService({ name: "v1" }), startSampleService({ name: "v2" })]);
});
afterAll(async () => {
  await Promise.all([v1.close(), v2.close()]);
});

describe("http connect", () => {
  it("checks the URL without a request, and describes it without userinfo", async () => {
    const before = v1.requests();
    const connected = await httpAdapter.connect(component(`http://ops:s3cret@127.0.0.1:${v1.port}/`), {});
    expect(connected.describe).toBe(`http://127.0.0.1:${v1.port}`);
    expect(connected.connection.headers.authorization).toBe(
      `Basic ${Buffer.from("ops:s3cret").toString("base64")}`,
    );
    expect(v1.requests()).toBe(before);
    const fromEnv = await httpAdapter.connect(component("env:API_URL"), { API_URL: v1.url });
    expect(fromEnv.describe).toBe(`${v1.url} (from env:API_URL)`);
  });

  it.each([
    [undefined, /no connection given/],
    ["env:API_URL", /environment variable API_URL is not set/],
    ["postgres://db/x", /a postgres: URL; the http adapter needs http: or https:/],
    ["not a url", /is not a URL/],
    ["http://127.0.0.1:9001/?token=abc", /has a query or a fragment; give the base URL only/],
  ])("refuses the connection %j", async (connection, message) => {
    const c = { id: "api", kind: "http", ...(connection ? { connection } : {}) };
    await expect(httpAdapter.connect(c, {})).rejects.toThrow(message);
  });

  it.each([
    [{ version_path: "version" }, /options\.version_path: expected a path/],
    [{ health_path: "//evil.example/x" }, /options\.health_path/],
    [{ timeout: "soon" }, /options\.timeout/],
    [{ retries: 3 }, /options: .*retries/],
    [
      { headers: { "x-token": "env:NOPE" } },
      /options\.headers\.x-token: environment variable NOPE is not set/,
    ],
    [{ headers: { "bad header": "x" } }, /"bad header" is not a header name/],
  ])("refuses options %j", async (options, message) => {
    await expect(httpAdapter.connect(component(v1.url, options), {})).rejects.toThrow(message);
  });

  it("never puts a header value in a message", async () => {
    const error = await httpAdapter
      .connect(component(v1.url, { headers: { authorization: "Bearer abc\r\ninjected" } }), {})
      .catch((e: Error) => e);
    expect(String(error)).toMatch(/options\.headers\.authorization: the value contains a line break/);
    expect(String(error)).not.toContain("abc");
  });
});

describe("http discover", () => {
  it("reads the version and the health of a running service", async () => {
    const connection = await connect(v2.url);
    expect(await httpAdapter.discover(connection)).toEqual({
      kind: "http",
      url: v2.url,
      reachable: true,
      version: "v2",
      version_status: 200,
      healthy: true,
      health_status: 200,
    });
  });

  it("takes a plain-text version, and says when the health path is missing", async () => {
    const text = await startServer((req, res) => {
      if (req.url === "/v") res.end("1.4.2\n");
      else res.writeHead(404).end();
    });
    try {
      const connection = await connect(text.url, { version_path: "/v", health_path: "/nope" });
      expect(await httpAdapter.discover(connection)).toMatchObject({
        reachable: true,
        version: "1.4.2",
        healthy: false,
        health_status: 404,
      });
    } finally {
      await text.close();
    }
  });

  it("reports an unreachable service rather than throwing", async () => {
    const url = await closedUrl();
    expect(await httpAdapter.discover(await connect(url))).toEqual({
      kind: "http",
      url,
      reachable: false,
      error: expect.stringMatching(/GET .*\/version: connection refused: is the service running/),
    });
  });
});

describe("http snapshot and lock", () => {
  it("fingerprints the version endpoint: equal for the same version, different for another", async () => {
    const a = await httpAdapter.snapshot(await connect(v1.url), "api");
    const b = await httpAdapter.snapshot(await connect(v1.url), "api");
    const c = await httpAdapter.snapshot(await connect(v2.url), "api");
    expect(a).toMatchObject({
      component: "api",
      fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      checksums: {},
    });
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });

  it("fails the snapshot, saying what to check, when the service cannot be read", async () => {
    await expect(httpAdapter.snapshot(await connect(await closedUrl()), "api")).rejects.toThrow(
      /snapshot of 'api': GET .*connection refused.*; check that the service is up and that options\.version_path \(\/version\) is right/,
    );
    await expect(
      httpAdapter.snapshot(await connect(v1.url, { version_path: "/missing" }), "api"),
    ).rejects.toThrow(/snapshot of 'api': GET .*\/missing answered 404/);
  });

  it("holds a component for one run at a time, in this process", async () => {
    const adapter = createHttpAdapter();
    const a = (await adapter.connect(component(v1.url), {})).connection;
    const b = (await adapter.connect(component(v1.url), {})).connection;
    const release = await adapter.lock(a, "pid 1@h (run r1)");
    await expect(adapter.lock(b, "pid 2@h (run r2)")).rejects.toThrow(
      "http component 'api' is locked by pid 1@h (run r1)",
    );
    await release();
    await (await adapter.lock(b, "pid 2@h (run r2)"))();
  });
});

describe("jsonMismatch", () => {
  it.each([
    [{ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { d: 2 }] } }, undefined],
    [{ a: 1 }, { a: "1" }, '$.a: expected "1", got 1'],
    [{ a: 1 }, { b: 1 }, "$.b: missing (expected 1)"],
    [{ a: [1, 2] }, { a: [1] }, "$.a: expected 1 elements, got 2"],
    [{ a: [{ x: 1 }] }, { a: [{ x: 2 }] }, "$.a[0].x: expected 2, got 1"],
    [[1], { a: 1 }, "$: expected an object, got [1]"],
    [{ a: null }, { a: null }, undefined],
    [{ a: { b: 1 } }, { a: {} }, undefined],
  ])("%j contains %j: %s", (actual, expected, mismatch) => {
    expect(jsonMismatch(actual, expected)).toBe(mismatch);
  });
});
