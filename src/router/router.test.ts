import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { call, countUpstreams, type FakeUpstream, startFakeUpstream } from "./fake-upstream.js";
import { startEmbeddedRouter } from "./router.js";
import type { EmbeddedRouter, EmbeddedRouterOptions } from "./types.js";

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

async function router(options: EmbeddedRouterOptions): Promise<EmbeddedRouter> {
  const started = await startEmbeddedRouter(options);
  cleanup.push(started.close);
  return started;
}

async function twoVersions(weights: Record<string, number>, extra: Partial<EmbeddedRouterOptions> = {}) {
  const v1 = await upstream("v1");
  const v2 = await upstream("v2");
  const r = await router({ upstreams: { v1: v1.url, v2: v2.url }, weights, ...extra });
  return { v1, v2, r };
}

describe("weighted routing", () => {
  it("splits 90/10 exactly over 100 requests", async () => {
    const { r } = await twoVersions({ v1: 90, v2: 10 });
    expect(await countUpstreams(r.url, 100)).toEqual({ v1: 90, v2: 10 });
  });

  it("applies a weight change to the very next request", async () => {
    const { r } = await twoVersions({ v1: 100, v2: 0 });
    expect(await countUpstreams(r.url, 3)).toEqual({ v1: 3 });
    r.setState({ weights: { v1: 0, v2: 1 } });
    expect(await countUpstreams(r.url, 1)).toEqual({ v2: 1 });
    r.setState({ weights: { v1: 1, v2: 1 } });
    expect(await countUpstreams(r.url, 10)).toEqual({ v1: 5, v2: 5 });
  });

  it("never sends a request to a weight of 0", async () => {
    const { v2, r } = await twoVersions({ v1: 7, v2: 0 });
    expect(await countUpstreams(r.url, 30)).toEqual({ v1: 30 });
    expect(v2.seen).toHaveLength(0);
  });
});

describe("forwarding", () => {
  it("passes method, path, query and body; drops hop-by-hop headers; sets x-forwarded-*", async () => {
    const { v1, r } = await twoVersions({ v1: 1, v2: 0 });
    const reply = await call(`${r.url}/orders/7?expand=items`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        connection: "keep-alive, x-private-hop",
        "x-private-hop": "secret-to-this-hop",
        "x-request-id": "abc",
        "x-forwarded-for": "10.0.0.9",
      },
      body: '{"n":1}',
    });
    expect(reply.status).toBe(200);
    expect(reply.headers["x-ma-upstream"]).toBe("v1");
    expect(reply.headers["x-upstream-header"]).toBe("v1");
    expect(reply.json()).toEqual({ upstream: "v1", path: "/orders/7?expand=items", bytes: 7 });
    const seen = v1.seen[0];
    expect(seen?.method).toBe("POST");
    expect(seen?.headers["x-request-id"]).toBe("abc");
    expect(seen?.headers["x-private-hop"]).toBeUndefined();
    expect(seen?.headers["x-forwarded-for"]).toBe("10.0.0.9, 127.0.0.1");
    expect(seen?.headers["x-forwarded-proto"]).toBe("http");
    expect(seen?.headers["x-forwarded-host"]).toBe(new URL(r.url).host);
    expect(seen?.headers.host).toBe(new URL(v1.url).host);
  });

  it("streams a body over 1 MB to the upstream whole", async () => {
    const { r } = await twoVersions({ v1: 1, v2: 0 });
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const reply = await call(`${r.url}/upload`, { method: "PUT", body: big });
    expect(reply.json()).toMatchObject({ bytes: big.length });
  });

  it("answers 504 when the upstream is silent past the timeout", async () => {
    const { r } = await twoVersions({ v1: 1, v2: 0 }, { upstream_timeout_ms: 200 });
    const since = Date.now();
    const reply = await call(`${r.url}/slow?delay=1000`);
    expect(reply.status).toBe(504);
    expect(reply.json()).toMatchObject({ error: "gateway_timeout" });
    expect(reply.headers["x-ma-upstream"]).toBe("v1");
    const stats = r.stats({ since });
    expect(stats.upstreams.v1).toMatchObject({ requests: 1, errors: 1 });
    expect(stats.total).toMatchObject({ requests: 1, errors: 1 });
  });

  it("refuses bad options with a message that says what to fix", async () => {
    await expect(startEmbeddedRouter({ upstreams: {}, weights: {} })).rejects.toThrow(
      /at least one upstream/,
    );
    await expect(startEmbeddedRouter({ upstreams: { v1: "ftp://x" }, weights: { v1: 1 } })).rejects.toThrow(
      /http:\/\/ or https:\/\//,
    );
    await expect(
      startEmbeddedRouter({ upstreams: { v1: "http://u:p@127.0.0.1:1" }, weights: { v1: 1 } }),
    ).rejects.toThrow(/must not carry credentials/);
    await expect(
      startEmbeddedRouter({ upstreams: { v1: "http://127.0.0.1:1" }, weights: { v1: 0 } }),
    ).rejects.toThrow(/at least one upstream needs a weight above 0/);
  });
});

describe("retry", () => {
  it("serves every request from v2 when v1 is down, and counts v1's failures", async () => {
    const { v1, r } = await twoVersions({ v1: 50, v2: 50 });
    await v1.close();
    const since = Date.now();
    expect(await countUpstreams(r.url, 100)).toEqual({ v2: 100 });
    const stats = r.stats({ since });
    expect(stats.upstreams.v1).toMatchObject({ requests: 50, errors: 50 });
    expect(stats.upstreams.v2).toMatchObject({ requests: 100, errors: 0 });
    expect(stats.total).toMatchObject({ requests: 100, errors: 0 });
  });

  it("retries a POST whose body was kept whole", async () => {
    const { v1, v2, r } = await twoVersions({ v1: 1, v2: 1 });
    await v1.close();
    const reply = await call(`${r.url}/orders`, { method: "POST", body: "x".repeat(1000) });
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ upstream: "v2", bytes: 1000 });
    expect(v2.seen).toHaveLength(1);
  });

  it("does not retry a body over 1 MB, and answers 502 in JSON", async () => {
    const { v1, v2, r } = await twoVersions({ v1: 1, v2: 1 });
    await v1.close();
    const reply = await call(`${r.url}/upload`, { method: "POST", body: Buffer.alloc(2 * 1024 * 1024) });
    expect(reply.status).toBe(502);
    expect(reply.json()).toMatchObject({ error: "bad_gateway" });
    expect((reply.json() as { message: string }).message).toContain("over 1 MB");
    expect(v2.seen).toHaveLength(0);
  });

  it("answers 502 when every upstream is down, naming what was tried", async () => {
    const { v1, v2, r } = await twoVersions({ v1: 1, v2: 1 });
    await v1.close();
    await v2.close();
    const reply = await call(`${r.url}/`);
    expect(reply.status).toBe(502);
    expect((reply.json() as { message: string }).message).toMatch(/after trying v1, v2|after trying v2, v1/);
  });

  it("answers 502 when the only weighted upstream is down (no other to retry on)", async () => {
    const { v1, r } = await twoVersions({ v1: 1, v2: 0 });
    await v1.close();
    const reply = await call(`${r.url}/`);
    expect(reply.status).toBe(502);
    expect((reply.json() as { message: string }).message).toContain(
      "upstream v1 could not be reached (ECONNREFUSED)",
    );
  });
});

/** An upstream that misbehaves as `handle` says, on a free loopback port. */
async function rawUpstream(handle: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("failures", () => {
  it("retries elsewhere when the upstream drops the connection before answering", async () => {
    const dropper = await rawUpstream((req) => req.socket.destroy());
    const v2 = await upstream("v2");
    const r = await router({ upstreams: { v1: dropper, v2: v2.url }, weights: { v1: 1, v2: 1 } });
    const since = Date.now();
    expect(await countUpstreams(r.url, 6)).toEqual({ v2: 6 });
    expect(r.stats({ since }).upstreams.v1).toMatchObject({ requests: 3, errors: 3 });
  });

  it("cuts the client's answer when the upstream breaks off mid-body, and counts it", async () => {
    const breaker = await rawUpstream((_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("partial");
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const r = await router({ upstreams: { v1: breaker }, weights: { v1: 1 } });
    const since = Date.now();
    await expect(call(`${r.url}/`)).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stats = r.stats({ since });
    expect(stats.upstreams.v1).toMatchObject({ requests: 1, errors: 1 });
    expect(stats.total).toMatchObject({ requests: 1, errors: 1 });
  });

  it("stops the upstream request when the client leaves, without counting an error", async () => {
    let upstreamClosed = false;
    const slow = await rawUpstream((req, res) => {
      req.socket.on("close", () => {
        upstreamClosed = true;
      });
      setTimeout(() => res.end("late"), 2000);
    });
    const r = await router({ upstreams: { v1: slow }, weights: { v1: 1 } });
    const since = Date.now();
    const client = request(`${r.url}/`, { agent: false });
    client.on("error", () => {});
    client.end();
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(upstreamClosed).toBe(true);
    const stats = r.stats({ since });
    expect(stats.total).toMatchObject({ requests: 1, errors: 0 });
    expect(stats.upstreams.v1).toMatchObject({ requests: 1, errors: 0 });
  });
});

describe("close", () => {
  it("does not wait for idle keep-alive clients", async () => {
    const v1 = await upstream("v1");
    const r = await startEmbeddedRouter({ upstreams: { v1: v1.url }, weights: { v1: 1 } });
    const reply = await fetch(`${r.url}/`);
    expect(reply.headers.get("x-ma-upstream")).toBe("v1");
    await reply.text();
    const started = performance.now();
    await r.close();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("lets an in-flight slow request complete, then refuses new connections", async () => {
    const v1 = await upstream("v1");
    const r = await startEmbeddedRouter({ upstreams: { v1: v1.url }, weights: { v1: 1 } });
    const slow = call(`${r.url}/slow?delay=500`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = r.close();
    const reply = await slow;
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ upstream: "v1", path: "/slow?delay=500" });
    await closed;
    await expect(call(`${r.url}/`)).rejects.toThrow(/ECONNREFUSED/);
    await expect(call(`${r.adminUrl}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
