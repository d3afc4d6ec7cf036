import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { totalCents } from "./routes.js";
import { type SampleService, startSampleService } from "./sample-service.js";

const started: SampleService[] = [];
async function start(options: Parameters<typeof startSampleService>[0]): Promise<SampleService> {
  const service = await startSampleService(options);
  started.push(service);
  return service;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function call(service: SampleService, method: string, path: string, body?: unknown) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  return {
    status: response.status,
    servedBy: response.headers.get("x-served-by"),
    json: (await response.json()) as Record<string, unknown>,
  };
}

describe("the sample service", () => {
  it("answers its endpoints with JSON and x-served-by", async () => {
    const v1 = await start({ name: "v1" });
    expect(v1.url).toBe(`http://127.0.0.1:${v1.port}`);
    expect(await call(v1, "GET", "/healthz")).toEqual({
      status: 200,
      servedBy: "v1",
      json: { status: "ok", version: "v1" },
    });
    expect(await call(v1, "GET", "/version")).toMatchObject({
      status: 200,
      json: { service: "sample", version: "v1" },
    });
    const order = await call(v1, "GET", "/orders/42?expand=1");
    expect(order).toEqual({
      status: 200,
      servedBy: "v1",
      json: { id: 42, total_cents: totalCents(42), currency: "EUR", version: "v1" },
    });
    for (const path of ["/orders/abc", "/orders/4.2", "/orders/-1", "/nowhere", "/orders/1/items"]) {
      const missing = await call(v1, "GET", path);
      expect(missing.status, path).toBe(404);
      expect(missing.servedBy).toBe("v1");
      expect(missing.json.error).toEqual(expect.any(String));
    }
    expect((await call(v1, "POST", "/healthz")).status).toBe(404);
    expect(v1.requests()).toBe(9);
  });

  it("gives the same order the same total in every version", async () => {
    const [v1, v2] = await Promise.all([start({ name: "v1" }), start({ name: "v2" })]);
    const a = (await call(v1, "GET", "/orders/7")).json;
    const b = (await call(v2, "GET", "/orders/7")).json;
    expect({ ...a, version: "x" }).toEqual({ ...b, version: "x" });
    expect(totalCents(7)).not.toBe(totalCents(8));
  });

  it("sets, reads and removes admin flags", async () => {
    const v1 = await start({ name: "v1" });
    expect((await call(v1, "GET", "/admin/flags")).json).toEqual({ flags: {} });
    expect((await call(v1, "PUT", "/admin/flags/new_checkout", { value: { on: true } })).status).toBe(200);
    expect((await call(v1, "GET", "/admin/flags")).json).toEqual({ flags: { new_checkout: { on: true } } });
    expect((await call(v1, "GET", "/admin/flags/new_checkout")).json).toMatchObject({ value: { on: true } });
    expect((await call(v1, "DELETE", "/admin/flags/new_checkout")).status).toBe(200);
    expect((await call(v1, "GET", "/admin/flags")).json).toEqual({ flags: {} });
    expect((await call(v1, "PUT", "/admin/flags/x", { nothing: 1 })).status).toBe(400);
    expect((await call(v1, "PUT", "/admin/flags/a%20b", { value: 1 })).status).toBe(404);
    expect((await call(v1, "PUT", "/admin/flags/%E0%A4%A", { value: 1 })).status).toBe(404);
  });

  it("fails every order request at error_rate 1, none at 0, and spares /healthz", async () => {
    const bad = await start({ name: "bad", error_rate: 1 });
    for (let i = 0; i < 20; i++) {
      expect(await call(bad, "GET", `/orders/${i}`)).toMatchObject({
        status: 500,
        servedBy: "bad",
        json: { error: "simulated fault" },
      });
    }
    expect((await call(bad, "GET", "/healthz")).status).toBe(200);
    expect((await call(bad, "GET", "/version")).status).toBe(200);
    expect((await call(bad, "GET", "/admin/flags")).status).toBe(200);
    bad.setFaults({ error_rate: 0 });
    for (let i = 0; i < 20; i++) expect((await call(bad, "GET", `/orders/${i}`)).status).toBe(200);
  });

  it("adds latency_ms to order requests only", async () => {
    const slow = await start({ name: "slow", latency_ms: 400 });
    let t = performance.now();
    await call(slow, "GET", "/orders/1");
    expect(performance.now() - t).toBeGreaterThanOrEqual(395);
    t = performance.now();
    await call(slow, "GET", "/healthz");
    expect(performance.now() - t).toBeLessThan(300);
    slow.setFaults({ latency_ms: 0 });
    t = performance.now();
    await call(slow, "GET", "/orders/1");
    expect(performance.now() - t).toBeLessThan(300);
  });

  it("refuses faults out of range", async () => {
    await expect(startSampleService({ name: "x", error_rate: 1.5 })).rejects.toThrow(/between 0 and 1/);
    await expect(startSampleService({ name: "x", latency_ms: -1 })).rejects.toThrow(/≥ 0/);
    await expect(startSampleService({ name: " " })).rejects.toThrow(/needs a name/);
    const v1 = await start({ name: "v1" });
    expect(() => v1.setFaults({ error_rate: -0.1 })).toThrow(/between 0 and 1/);
  });

  it("says when its port is taken", async () => {
    const v1 = await start({ name: "v1" });
    await expect(startSampleService({ name: "v2", port: v1.port })).rejects.toThrow(
      `the sample service v2 cannot listen on 127.0.0.1:${v1.port}: the address is in use`,
    );
  });

  it("closes gracefully: a slow request in flight completes, idle keep-alive sockets close", async () => {
    const service = await startSampleService({ name: "v1", latency_ms: 300 });
    // An idle keep-alive socket: a request answered, the connection kept open.
    const agent = new (await import("node:http")).Agent({ keepAlive: true });
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${service.url}${path}`, { agent }, (res) => {
          let body = "";
          res.setEncoding("utf8").on("data", (c: string) => {
            body += c;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject).end();
      });
    expect((await get("/healthz")).status).toBe(200);
    const slow = get("/orders/5");
    await new Promise((r) => setTimeout(r, 50));
    const t = performance.now();
    const closed = service.close();
    expect(await slow).toMatchObject({ status: 200, body: expect.stringContaining('"id":5') });
    await closed;
    expect(performance.now() - t).toBeLessThan(2_000); // not the 5s keep-alive timeout
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
    await service.close(); // twice is fine
    agent.destroy();
  });

  it("closes at once a connection that has sent no request", async () => {
    const service = await startSampleService({ name: "v1" });
    const socket = connect(service.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const ended = new Promise((resolve) => socket.once("close", resolve));
    const t = performance.now();
    await service.close();
    await ended;
    expect(performance.now() - t).toBeLessThan(1_000);
  });
});
