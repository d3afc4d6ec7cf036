import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../../test/support/cli.js";
import { startCli } from "../../test/support/cli-process.js";
import { call, type FakeUpstream, startFakeUpstream } from "./fake-upstream.js";

let v1: FakeUpstream;
beforeAll(async () => {
  v1 = await startFakeUpstream("v1");
});
afterAll(async () => {
  await v1.close();
});

describe("migration-architect router", () => {
  it("prints where it serves, routes a request, and exits 0 on SIGTERM", async () => {
    let stdout = "";
    let printed: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      printed = resolve;
    });
    const child = startCli(
      [
        "router",
        "--upstream",
        `v1=${v1.url}`,
        "--upstream",
        "v2=http://127.0.0.1:9",
        "--weights",
        "v1=3,v2=0",
      ],
      { MA_ROUTER_TOKEN: "cli-test-token" },
      {
        onStdout: (chunk) => {
          stdout += chunk;
          if (/^admin at /m.test(stdout)) printed();
        },
      },
    );
    await Promise.race([ready, child.done]);
    const lines = stdout.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^router at http:\/\/127\.0\.0\.1:\d+$/),
      expect.stringMatching(/^admin at http:\/\/127\.0\.0\.1:\d+$/),
    ]);
    const routerUrl = lines[0]?.replace("router at ", "") ?? "";
    const adminUrl = lines[1]?.replace("admin at ", "") ?? "";

    const reply = await call(`${routerUrl}/hello`);
    expect(reply.status).toBe(200);
    expect(reply.headers["x-ma-upstream"]).toBe("v1");
    expect(reply.json()).toMatchObject({ upstream: "v1", path: "/hello" });
    expect((await call(`${adminUrl}/state`)).status).toBe(401);
    const state = await call(`${adminUrl}/state`, { headers: { authorization: "Bearer cli-test-token" } });
    expect(state.json()).toMatchObject({ weights: { v1: 3, v2: 0 }, generation: 1 });

    process.kill(child.pid, "SIGTERM");
    const outcome = await child.done;
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).not.toContain("cli-test-token");
  });

  it("refuses an admin address other than loopback without a token (exit 2)", async () => {
    const saved = process.env.MA_ROUTER_TOKEN;
    delete process.env.MA_ROUTER_TOKEN;
    try {
      const r = await cli("router", "--upstream", `v1=${v1.url}`, "--admin", "0.0.0.0:0");
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--admin 0.0.0.0:0 can be reached from other machines");
      expect(r.stderr).toContain("set MA_ROUTER_TOKEN");
    } finally {
      if (saved !== undefined) process.env.MA_ROUTER_TOKEN = saved;
    }
  });

  it("explains usage mistakes with exit 2", async () => {
    const none = await cli("router");
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("give at least one --upstream NAME=URL");
    const unknown = await cli("router", "--upstream", `v1=${v1.url}`, "--weights", "v9=1");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("'v9' is not an upstream of this router");
    const weights = await cli("router", "--upstream", `v1=${v1.url}`, "--weights", "v1=-1");
    expect(weights.stderr).toContain("'v1=-1' is not NAME=WEIGHT");
    const listen = await cli("router", "--upstream", `v1=${v1.url}`, "--listen", "here");
    expect(listen.stderr).toContain("--listen here is not HOST:PORT");
  });
});
