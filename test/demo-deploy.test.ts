import { existsSync } from "node:fs";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { runDeployDemo } from "../src/demo/deploy-demo.js";
import { cli } from "./support/cli.js";

/**
 * The demo's deployment act (`npm run demo -- --deploy`), run in this process with its output
 * collected: a canary of v2 planned from a sentence and run under 100 requests a second, promoted
 * with no failed request; and, with a v2 that fails 30 % of its requests, rolled back on its own.
 */
async function act(injectFailure: boolean): Promise<{ code: number; text: string; lines: string[] }> {
  const lines: string[] = [];
  const code = await runDeployDemo({ injectFailure, out: (t) => lines.push(stripVTControlCharacters(t)) });
  return { code, text: lines.join("\n"), lines };
}

/** The work directory the act names in its first line: it must be gone once the act ends. */
function workDir(text: string): string {
  const dir = /\(work dir ([^)]+)\)/.exec(text)?.[1];
  if (!dir) throw new Error(`the demo did not name its work dir:\n${text}`);
  return dir;
}

/** `client: N requests, F failed, …; answered by v1 A, v2 B`, as numbers. */
function client(text: string) {
  const m = /client: (\d+) requests, (\d+) failed, \d+ slow; .*answered by (.*)$/m.exec(text);
  if (!m) throw new Error(`no client figures in:\n${text}`);
  const served = Object.fromEntries(
    (m[3] ?? "").split(", ").map((part) => {
      const [version, n] = part.split(" ");
      return [version, Number(n)];
    }),
  );
  return { requests: Number(m[1]), failed: Number(m[2]), served };
}

describe("npm run demo -- --deploy", () => {
  it("promotes v2 through a canary with no failed request, and exits 0", async () => {
    const { code, text } = await act(false);
    expect(text).toContain(
      'planning from a sentence (offline planner): "roll out web v2 as a canary, 10% first"',
    );
    expect(text).toMatch(
      /canary: canary-10 \(traffic\.set_weights\), analyse-10 \(traffic\.analyze\), canary-50 \(traffic\.set_weights\), analyse-50 \(traffic\.analyze\), promote \(traffic\.set_weights\)/,
    );
    expect(text).toMatch(/analyse-10: measurement 1\/3: pass/);
    expect(text).toContain("run status: completed");
    expect(text).toContain("final weights: v1 0, v2 100");
    const figures = client(text);
    expect(figures.failed).toBe(0);
    // 100 requests a second for the ~30 s of two analyses, and both versions answered some.
    expect(figures.requests).toBeGreaterThan(2000);
    expect(figures.served.v1).toBeGreaterThan(0);
    expect(figures.served.v2).toBeGreaterThan(0);
    expect(code).toBe(0);
    expect(existsSync(workDir(text))).toBe(false);
  }, 60_000);

  it("rolls the canary back on its own when v2 fails 30 % of its requests, and exits 0", async () => {
    const { code, text } = await act(true);
    expect(text).toContain("--inject-failure: v2 answers 30 % of its order requests with a 500");
    expect(text).toContain("run status: rolled_back");
    expect(text).toMatch(/the canary's analysis failed at analyse-10: canary analysis failed: .*error rate/);
    expect(text).toContain("final weights: v1 100, v2 0");
    expect(text).toContain("the weights went back to v1 on their own (level 0");
    const figures = client(text);
    // v2 had 10 % of the traffic for one window: its 500s are what the canary cost, nothing more.
    expect(figures.failed).toBeGreaterThan(0);
    expect(figures.failed).toBeLessThanOrEqual(figures.served.v2 ?? 0);
    expect(text).toContain(`what the canary cost: ${figures.failed} failed requests of ${figures.requests}`);
    expect(code).toBe(0);
    expect(existsSync(workDir(text))).toBe(false);
  }, 60_000);

  it("is offered by `demo --help`, and refuses --keep, which it has nothing for", async () => {
    const help = await cli("demo", "--help");
    expect(help.stdout).toMatch(/--deploy\s+a canary of a new service version behind the embedded router/);
    const keep = await cli("demo", "--deploy", "--keep");
    expect(keep.code).toBe(2);
    expect(keep.stderr).toContain("--deploy has none to keep");
  });
});
