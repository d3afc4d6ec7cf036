import type { IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compositeRisk } from "../../core/risk/risk.js";
import { type SampleService, startSampleService } from "../../sample-service/sample-service.js";
import { httpAdapter } from "./adapter.js";
import type { HttpConnection } from "./connection.js";
import { closedUrl, connect, startServer, stepContext } from "./fixtures.contract.js";
import { httpRequest } from "./request.js";

let service: SampleService;
let api: HttpConnection;
beforeAll(async () => {
  service = await startSampleService({ name: "v1" });
  api = await connect(service.url);
});
afterAll(() => service.close());

const flags = async () =>
  ((await (await fetch(`${service.url}/admin/flags`)).json()) as { flags: unknown }).flags;
const parse = (params: Record<string, unknown>) => httpRequest.params.parse(params);

const setFlag = {
  method: "PUT",
  path: "/admin/flags/new_checkout",
  body: { value: true },
  undo: { method: "DELETE", path: "/admin/flags/new_checkout" },
  verify: { path: "/admin/flags", expect_json: { flags: { new_checkout: true } } },
};

describe("http.request", () => {
  it("lifecycle: apply → verify → undo (its inverse) → verify → apply again", async () => {
    const params = parse(setFlag);
    expect(httpRequest.describe(params)).toBe(
      "PUT /admin/flags/new_checkout (undo: DELETE /admin/flags/new_checkout)",
    );
    expect(await httpRequest.verify(api, params)).toBe(false);
    const log: string[] = [];
    const outcome = await httpRequest.apply(api, params, stepContext(undefined, log));
    expect(outcome.figures).toEqual({ status: 200, duration_ms: expect.any(Number) });
    expect(log).toEqual([expect.stringMatching(/^PUT .*\/admin\/flags\/new_checkout answered 200 in/)]);
    expect(await flags()).toEqual({ new_checkout: true });
    expect(await httpRequest.verify(api, params)).toBe(true);

    expect(httpRequest.hasInverse(setFlag)).toBe(true);
    const inverse = httpRequest.inverse(params);
    expect(inverse).toEqual({ action: "http.request", params: setFlag.undo });
    if (!("action" in inverse)) throw new Error("no inverse action");
    const undo = parse(inverse.params);
    await httpRequest.apply(api, undo, stepContext());
    expect(await flags()).toEqual({});
    expect(await httpRequest.verify(api, params)).toBe(false);
    expect(await httpRequest.verify(api, undo)).toBe(true); // sent by this process

    await httpRequest.apply(api, params, stepContext());
    await httpRequest.apply(api, params, stepContext()); // a resumed run: PUT is idempotent
    expect(await flags()).toEqual({ new_checkout: true });
    await httpRequest.apply(api, undo, stepContext());
  });

  it("verifies without `verify` by what this process sent", async () => {
    const params = parse({ method: "PUT", path: "/admin/flags/plain", body: { value: 1 } });
    expect(await httpRequest.verify(api, params)).toBe(false); // after a crash: send it again
    await httpRequest.apply(api, params, stepContext());
    expect(await httpRequest.verify(api, params)).toBe(true);
    const other = await connect(service.url);
    expect(await httpRequest.verify(other, params)).toBe(false);
    await httpRequest.apply(api, parse({ method: "DELETE", path: "/admin/flags/plain" }), stepContext());
  });

  it("verify is false when the check's status or JSON differ, or the service is down", async () => {
    const wrongStatus = parse({ ...setFlag, verify: { path: "/admin/flags", expect_status: 201 } });
    expect(await httpRequest.verify(api, wrongStatus)).toBe(false);
    const down = await connect(await closedUrl());
    expect(await httpRequest.verify(down, parse(setFlag))).toBe(false);
  });

  it("fails on an unexpected status with the method, URL, status and the start of the body", async () => {
    const bad = parse({ method: "PUT", path: "/admin/flags/x", body: { nothing: "x".repeat(500) } });
    const error = await httpRequest.apply(api, bad, stepContext()).catch((e: Error) => e);
    expect(String(error)).toMatch(
      /PUT http:\/\/127\.0\.0\.1:\d+\/admin\/flags\/x answered 400 \(expected 2xx\): \{"error":"expected a JSON body/,
    );
    await expect(
      httpRequest.apply(
        api,
        parse({ method: "GET", path: "/healthz", expect_status: [201, 204] }),
        stepContext(),
      ),
    ).rejects.toThrow(/answered 200 \(expected 201 or 204\)/);
    const ok404 = await httpRequest.apply(
      api,
      parse({ method: "GET", path: "/orders/x", expect_status: 404 }),
      stepContext(),
    );
    expect(ok404.figures?.status).toBe(404);
  });

  it("cuts the body in an error message to 200 characters", async () => {
    const long = await startServer((_req, res) => res.writeHead(503).end("y".repeat(1_000)));
    try {
      const error = await httpRequest
        .apply(await connect(long.url), parse({ method: "POST", path: "/deploy" }), stepContext())
        .catch((e: Error) => e);
      expect(String(error)).toMatch(new RegExp(`answered 503 \\(expected 2xx\\): ${"y".repeat(200)}…$`));
    } finally {
      await long.close();
    }
  });

  it("times out, and stops when the run pauses", async () => {
    const slow = await startSampleService({ name: "slow", latency_ms: 1_500 });
    try {
      const connection = await connect(slow.url);
      const started = performance.now();
      await expect(
        httpRequest.apply(
          connection,
          parse({ method: "GET", path: "/orders/1", timeout: "200ms" }),
          stepContext(),
        ),
      ).rejects.toThrow(/GET .*\/orders\/1: no answer within 200ms/);
      expect(performance.now() - started).toBeLessThan(1_000);
      const pause = new AbortController();
      const step = httpRequest.apply(
        connection,
        parse({ method: "GET", path: "/orders/1" }),
        stepContext(pause.signal),
      );
      setTimeout(() => pause.abort(), 100);
      await expect(step).rejects.toThrow(/stopped, the run is pausing/);
    } finally {
      await slow.close();
    }
  });

  it("says when the service cannot be reached", async () => {
    const down = await connect(await closedUrl());
    await expect(httpRequest.apply(down, parse(setFlag), stepContext())).rejects.toThrow(
      /PUT http:\/\/127\.0\.0\.1:\d+\/admin\/flags\/new_checkout: connection refused: is the service running/,
    );
  });

  it("sends component and step headers, env: values resolved, and never prints them", async () => {
    let seen: IncomingHttpHeaders = {};
    const echo = await startServer((req, res) => {
      seen = req.headers;
      res.writeHead(req.headers.authorization === "Bearer tok-123456789" ? 204 : 401).end("denied");
    });
    try {
      const env = { API_TOKEN: "Bearer tok-123456789", TRACE: "t-42" };
      const connection = await connect(
        echo.url,
        { headers: { authorization: "env:API_TOKEN", "x-team": "payments" } },
        env,
      );
      const params = parse({
        method: "POST",
        path: "/deploy",
        body: { to: "v2" },
        headers: { "x-trace": "env:TRACE" },
      });
      expect((await httpRequest.apply(connection, params, stepContext())).figures?.status).toBe(204);
      expect(seen).toMatchObject({
        authorization: "Bearer tok-123456789",
        "x-team": "payments",
        "x-trace": "t-42",
        "content-type": "application/json",
      });

      const wrong = await connect(echo.url, { headers: { authorization: "Bearer wrong-token-value" } }, env);
      const error = await httpRequest.apply(wrong, params, stepContext()).catch((e: Error) => e);
      expect(String(error)).toMatch(/answered 401/);
      expect(String(error)).not.toContain("wrong-token-value");
      expect(httpRequest.describe(params)).not.toContain("t-42");

      const unset = parse({
        method: "POST",
        path: "/deploy",
        headers: { "x-trace": "env:NOT_SET_ANYWHERE" },
      });
      await expect(httpRequest.apply(connection, unset, stepContext())).rejects.toThrow(
        "POST /deploy: headers.x-trace: environment variable NOT_SET_ANYWHERE is not set (the value is env:NOT_SET_ANYWHERE)",
      );
    } finally {
      await echo.close();
    }
  });

  it("follows a redirect on the same host, and refuses one to another host", async () => {
    let tokenSentElsewhere = false;
    const other = await startServer((req, res) => {
      tokenSentElsewhere ||= req.headers.authorization !== undefined;
      res.end("{}");
    });
    const redirecting = await startServer((req, res) => {
      if (req.url === "/old") res.writeHead(308, { location: "/new" }).end();
      else if (req.url === "/new") res.writeHead(200).end(JSON.stringify({ method: req.method }));
      else res.writeHead(302, { location: `${other.url}/steal` }).end();
    });
    try {
      const connection = await connect(redirecting.url, {
        headers: { authorization: "Bearer secret-token-1" },
      });
      const moved = await httpRequest.apply(
        connection,
        parse({ method: "PUT", path: "/old", body: {} }),
        stepContext(),
      );
      expect(moved.figures?.status).toBe(200);
      await expect(
        httpRequest.apply(connection, parse({ method: "POST", path: "/elsewhere" }), stepContext()),
      ).rejects.toThrow(/POST .*\/elsewhere redirected to http:\/\/127\.0\.0\.1:\d+, another host; refused/);
      expect(tokenSentElsewhere).toBe(false);
    } finally {
      await Promise.all([other.close(), redirecting.close()]);
    }
  });

  it("has documented risk factors: lower with an undo", () => {
    const withUndo = httpRequest.risk(setFlag);
    const without = httpRequest.risk({ method: "POST", path: "/deploy" });
    expect(withUndo).toEqual({
      complexity: 0.4,
      blast_radius: 0.5,
      reversibility_difficulty: 0.3,
      data_sensitivity: 0.3,
    });
    expect(without.reversibility_difficulty).toBe(0.8);
    expect(compositeRisk(without)).toBeLessThanOrEqual(0.7);
    expect(httpRequest.hasInverse({ method: "POST", path: "/deploy" })).toBe(false);
    expect(httpRequest.inverse(parse({ method: "POST", path: "/deploy" }))).toEqual({
      manual: expect.stringMatching(/undo POST \/deploy by hand, or give the step `undo`/),
    });
  });

  it.each([
    [{ method: "GET" }, /path/],
    [{ method: "FETCH", path: "/x" }, /expected a method/],
    [{ method: "GET", path: "http://evil.example/x" }, /a path starting with a single '\/'/],
    [{ method: "GET", path: "//evil.example/x" }, /a path starting with a single '\/'/],
    [{ method: "GET", path: "/x", expect_status: 99 }, /100|>=100/],
    [{ method: "GET", path: "/x", timeout: "soon" }, /duration/],
    [{ method: "GET", path: "/x", undo: { path: "/y" } }, /method/],
    [{ method: "GET", path: "/x", verify: { path: "/y", expect_json: [1] } }, /expected record|object/],
    [{ method: "GET", path: "/x", follow: true }, /Unrecognized key/],
  ])("refuses params %j", (params, message) => {
    const parsed = httpRequest.params.safeParse(params);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")).toMatch(message);
  });

  it("is the adapter's one action", () => {
    expect(httpAdapter.actions.map((a) => a.name)).toEqual(["http.request"]);
  });
});
