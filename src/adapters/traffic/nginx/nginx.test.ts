import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasNginx, nginxInFront } from "../../../../test/support/nginx.js";
import { type SampleService, startSampleService } from "../../../sample-service/index.js";
import { nginxRouter } from "./nginx-router.js";

/** The first value `read` gives that `done` accepts, or the last one after 5 s. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The nginx router against a real nginx (Debian's package) in front of two sample services. */
describe.skipIf(!hasNginx)("nginx router (real nginx)", () => {
  let v1: SampleService;
  let v2: SampleService;
  let front: Awaited<ReturnType<typeof nginxInFront>>;

  beforeAll(async () => {
    v1 = await startSampleService({ name: "v1" });
    v2 = await startSampleService({ name: "v2" });
    front = await nginxInFront("web", { v1: v1.url, v2: v2.url }, { v1: 100 });
  });
  afterAll(async () => {
    await front?.stop();
    await v1?.close();
    await v2?.close();
  });

  async function servedBy(n: number): Promise<Record<string, number>> {
    const seen: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const response = await fetch(`${front.publicUrl}/orders/${i + 1}`);
      expect(response.status).toBe(200);
      const name = response.headers.get("x-served-by") ?? "?";
      seen[name] = (seen[name] ?? 0) + 1;
    }
    return seen;
  }

  it("serves the first weights, then splits 90/10 exactly after a graceful reload", async () => {
    expect(await servedBy(20)).toEqual({ v1: 20 });
    const state = await front.router.change({ weights: { v1: 90, v2: 10 } });
    expect(state.generation).toBe(2);
    expect(await servedBy(100)).toEqual({ v1: 90, v2: 10 });
    expect((await front.router.state()).weights).toEqual({ v1: 90, v2: 10 });
  });

  it("counts each upstream's requests, errors and latency from the access log", async () => {
    await front.router.change({ weights: { v1: 50, v2: 50 } });
    v2.setFaults({ error_rate: 1 });
    const since = Date.now();
    try {
      for (let i = 0; i < 40; i++) await fetch(`${front.publicUrl}/orders/${i + 1}`);
    } finally {
      v2.setFaults({ error_rate: 0 });
    }
    // nginx writes a log line after its answer: wait until all 40 are there (a busy machine is slow).
    const stats = await until(
      () => front.router.stats({ since, until: Date.now() + 1 }),
      (s) => s.total.requests >= 40,
    );
    expect(stats.upstreams.v1).toMatchObject({ requests: 20, errors: 0 });
    expect(stats.upstreams.v2).toMatchObject({ requests: 20, errors: 20 });
    expect(stats.total).toMatchObject({ requests: 40, errors: 20 });
    expect(stats.upstreams.v1?.p99_ms).not.toBeNull();
  });

  it("refuses weights for an upstream the route does not have, before writing anything", async () => {
    await expect(front.router.change({ weights: { v3: 1 } })).rejects.toThrow(
      /nginx route 'web': weights: 'v3' is not an upstream/,
    );
    await front.router.change({ weights: { v1: 100 } });
    expect(await servedBy(10)).toEqual({ v1: 10 });
  });

  it("puts the previous site file back when nginx -t refuses the new one, and reloads nothing", async () => {
    const site = String(front.options.site);
    const before = await readFile(site, "utf8");
    // An upstream host nginx cannot resolve: the file is well-formed, and `nginx -t` refuses it.
    const broken = nginxRouter({
      name: "web",
      conf: String(front.options.conf),
      site,
      command: front.options.command as string[],
      listen: String(front.options.listen),
      publicUrl: front.publicUrl,
      upstreams: { v1: v1.url, v2: "http://no-such-host.invalid:9" },
    });
    await expect(broken.change({ weights: { v1: 50, v2: 50 } })).rejects.toThrow(
      /nginx -t .* failed: .*no-such-host\.invalid.*the previous site file is back in place, nothing was reloaded/s,
    );
    expect(await readFile(site, "utf8")).toBe(before);
    expect(await servedBy(10)).toEqual({ v1: 10 });
  });

  it("mirrors requests to the other version and compares the status codes", async () => {
    await front.router.change({ weights: { v1: 100 }, mirror: { to: "v2", percent: 100 } });
    const before = v2.requests();
    const since = Date.now();
    // The copies reach v2 after the clients' answers: wait for them before changing v2's faults.
    const mirrored = (n: number) =>
      until(
        async () => v2.requests() - before,
        (seen) => seen >= n,
      );
    for (let i = 0; i < 20; i++) await fetch(`${front.publicUrl}/orders/${i + 1}`);
    await mirrored(20);
    v2.setFaults({ error_rate: 1 });
    try {
      for (let i = 0; i < 10; i++) await fetch(`${front.publicUrl}/orders/${i + 1}`);
      await mirrored(30);
    } finally {
      v2.setFaults({ error_rate: 0 });
    }
    // A mirror's answer may come after the client's, and its log line after that.
    const stats = await until(
      () => front.router.stats({ since, until: Date.now() + 1 }),
      (s) => s.mirror.compared >= 30 && v2.requests() - before >= 30,
    );
    expect(v2.requests() - before).toBe(30);
    expect(stats.total).toMatchObject({ requests: 30, errors: 0 });
    expect(stats.mirror).toMatchObject({ compared: 30, mismatched: 10, mirror_errors: 10 });
    await front.router.change({ mirror: null });
  });
});
