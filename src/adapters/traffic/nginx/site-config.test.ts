import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasNginx } from "../../../../test/support/nginx.js";
import { runCommand } from "../../shell/run-command.js";
import { nginxBinary, privateNginx } from "./nginx-process.js";
import { hostPort, renderSite, type SiteSpec } from "./site-config.js";

const base: SiteSpec = {
  name: "web",
  listen: "127.0.0.1:8080",
  upstreams: { v1: "http://127.0.0.1:9001", v2: "http://localhost:9002/" },
  weights: { v1: 90, v2: 10 },
  mirror: null,
  generation: 7,
  accessLog: "/var/tmp/web.access.log",
  mirrorLog: "/var/tmp/web.mirror.log",
};

const lines = (text: string) => text.split("\n").map((l) => l.trim());

describe("renderSite", () => {
  it("writes a weighted upstream, the server proxying to it, its log and its generation", () => {
    const text = renderSite(base);
    const l = lines(text);
    expect(l[0]).toBe("# Written by migration-architect for traffic component 'web', generation 7.");
    expect(l).toContain(
      "log_format ma_web '$msec|$request_id|$status|$upstream_addr|$upstream_status|$upstream_response_time|$request_time';",
    );
    expect(l).toContain("upstream ma_web {");
    expect(l).toContain("server 127.0.0.1:9001 weight=90 max_fails=0; # v1");
    expect(l).toContain("server 127.0.0.1:9002 weight=10 max_fails=0; # v2");
    expect(l).toContain("listen 127.0.0.1:8080;");
    expect(l).toContain("access_log /var/tmp/web.access.log ma_web;");
    expect(l).toContain('return 200 "7\\n";');
    expect(l).toContain("proxy_pass http://ma_web;");
    expect(l).toContain("proxy_next_upstream error timeout;");
    expect(text).not.toMatch(/\bmirror\b/);
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("keeps an upstream at weight 0, or not named, in the block as `down`", () => {
    const l = lines(renderSite({ ...base, weights: { v2: 100 } }));
    expect(l).toContain("server 127.0.0.1:9001 down; # v1");
    expect(l).toContain("server 127.0.0.1:9002 weight=100 max_fails=0; # v2");
    const zero = lines(renderSite({ ...base, weights: { v1: 0, v2: 1 } }));
    expect(zero).toContain("server 127.0.0.1:9001 down; # v1");
  });

  it("names blocks after the component, dashes made underscores, so sites do not clash", () => {
    const text = renderSite({ ...base, name: "shop-web" });
    expect(text).toContain("upstream ma_shop_web {");
    expect(text).toContain("access_log /var/tmp/web.access.log ma_shop_web;");
    expect(text).toContain("traffic component 'shop-web'");
  });

  it("mirrors every request to a second upstream block, logged for comparison", () => {
    const text = renderSite({ ...base, weights: { v1: 100 }, mirror: { to: "v2", percent: 100 } });
    const l = lines(text);
    expect(l).toContain("upstream ma_web_mirror {");
    expect(l).toContain("server 127.0.0.1:9002 max_fails=0; # v2");
    expect(l).toContain("mirror /__ma/mirror;");
    expect(l).toContain("mirror_request_body on;");
    expect(l).toContain("location = /__ma/mirror {");
    expect(l).toContain("log_subrequest on;");
    expect(l).toContain("access_log /var/tmp/web.mirror.log ma_web;");
    expect(l).toContain("proxy_pass http://ma_web_mirror$request_uri;");
    // every request is copied: no sampling
    expect(text).not.toContain("split_clients");
    expect(text).not.toContain("return 204");
  });

  it("samples a share of the requests for the mirror with split_clients on the request id", () => {
    const text = renderSite({ ...base, mirror: { to: "v2", percent: 10 } });
    const l = lines(text);
    expect(l).toContain('split_clients "$request_id" $ma_web_mirrored {');
    expect(l).toContain("10% 1;");
    expect(l).toContain("* 0;");
    expect(l).toContain("if ($ma_web_mirrored = 0) { return 204; }");
  });

  it("writes no mirror toward an upstream the route does not have", () => {
    const text = renderSite({ ...base, mirror: { to: "v9", percent: 100 } });
    expect(text).not.toMatch(/\bmirror\b/);
  });

  it("refuses values nginx would read as syntax, naming what and where", () => {
    expect(() => renderSite({ ...base, name: "web;evil" })).toThrow(
      "nginx component id 'web;evil' has characters this adapter does not write into a config",
    );
    expect(() => renderSite({ ...base, accessLog: "/tmp/a log" })).toThrow(
      /nginx access log path '\/tmp\/a log'/,
    );
    expect(() => renderSite({ ...base, listen: "8080 default_server" })).toThrow(/nginx listen address/);
    expect(() => renderSite({ ...base, upstreams: { "v1 x": "http://127.0.0.1:1" } })).toThrow(
      /nginx upstream name 'v1 x'/,
    );
    expect(() => renderSite({ ...base, upstreams: { v1: "https://127.0.0.1:9001" } })).toThrow(
      "nginx upstream https://127.0.0.1:9001: only http:// upstreams are written by this adapter",
    );
  });

  it("balances its braces", () => {
    for (const mirror of [null, { to: "v2", percent: 100 }, { to: "v2", percent: 25 }]) {
      const text = renderSite({ ...base, mirror });
      expect((text.match(/{/g) ?? []).length).toBe((text.match(/}/g) ?? []).length);
    }
  });
});

describe("hostPort", () => {
  it("gives nginx's host:port, port 80 by default, path dropped", () => {
    expect(hostPort("http://127.0.0.1:9001/")).toBe("127.0.0.1:9001");
    expect(hostPort("http://svc.internal/v1")).toBe("svc.internal:80");
    expect(hostPort("http://localhost:9002/")).toBe("127.0.0.1:9002"); // never ::1 by surprise
  });
});

/** What renderSite writes, checked by nginx itself (`nginx -t`) when it is installed. */
describe.skipIf(!hasNginx)("renderSite, as nginx -t reads it", () => {
  it("writes configs nginx accepts: plain, mirrored, and mirrored with sampling", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ma-site-"));
    try {
      const nginx = await privateNginx(dir);
      const spec = {
        ...base,
        upstreams: { v1: "http://127.0.0.1:9001", v2: "http://127.0.0.1:9002" },
        accessLog: join(dir, "access.log"),
        mirrorLog: join(dir, "mirror.log"),
      };
      for (const mirror of [null, { to: "v2", percent: 100 }, { to: "v2", percent: 10 }]) {
        await writeFile(nginx.site("web"), renderSite({ ...spec, mirror }));
        const result = await runCommand({
          argv: [nginxBinary(), "-t", "-c", nginx.conf, "-p", dir],
          cwd: dir,
          env: process.env,
          timeoutMs: 10_000,
        });
        expect(result.stderrTail, `mirror ${JSON.stringify(mirror)}`).toContain("test is successful");
        expect(result.exitCode).toBe(0);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
