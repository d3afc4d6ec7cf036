import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES } from "../src/adapters/postgres/backends.contract.js";
import { cli } from "./support/cli.js";
import { loadScript, startFakeAnthropic } from "./support/fake-anthropic.js";

// biome-ignore lint/suspicious/noExplicitAny: tests read the report's JSON freely
type Json = any;

const dir = mkdtempSync(join(tmpdir(), "ma-eval-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI with these environment variables set for the call only. */
async function withEnv<T>(env: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await work();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("eval with a model planner, recorded then replayed", () => {
  it("--planner anthropic with MA_RECORD=DIR records; --planner replay:DIR gives the same scores and tokens offline", async () => {
    const fixture = FIXTURES;
    const file = join(dir, "rename-email.yaml");
    writeFileSync(
      file,
      [
        "id: rename-email",
        "request: rename users.email to email_address without downtime",
        "system:",
        "  components:",
        `    - { id: app-db, kind: postgres, schema: ${join(fixture, "app-schema.sql")}, seed: ${join(fixture, "app-seed.sql")} }`,
        "expect:",
        "  actions_include: [postgres.rename_column]",
        "  patterns: [expand-contract]",
        "  rollback_coverage: 1.0",
        "",
      ].join("\n"),
    );
    const recordings = join(dir, "recorded");
    // The model: a loopback server speaking the Messages API, answering from a scripted transcript.
    const fake = await startFakeAnthropic(loadScript("rename-email"));
    let recorded: Json;
    try {
      const r = await withEnv(
        {
          ANTHROPIC_API_KEY: "sk-ant-test-not-a-key",
          ANTHROPIC_BASE_URL: fake.baseURL,
          MA_RECORD: recordings,
        },
        () => cli("eval", file, "--planner", "anthropic", "--out", join(dir, "recorded-report")),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      recorded = JSON.parse(readFileSync(join(dir, "recorded-report", "report.json"), "utf8"));
    } finally {
      await fake.close();
    }
    expect(readdirSync(recordings).filter((f) => f.endsWith(".json"))).toHaveLength(1);
    expect(recorded.totals.input_tokens).toBeGreaterThan(0);

    // No server, no key: the replay.
    const r = await withEnv({ ANTHROPIC_API_KEY: undefined, ANTHROPIC_BASE_URL: "http://127.0.0.1:9" }, () =>
      cli("eval", file, "--planner", `replay:${recordings}`, "--out", join(dir, "replayed-report")),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("1 passed, 0 failed");
    const replayed = JSON.parse(readFileSync(join(dir, "replayed-report", "report.json"), "utf8"));
    const scores = (report: Json) =>
      report.cases[0].attempts[0].checks.map((c: Json) => `${c.check} ${c.pass} ${c.detail}`);
    expect(scores(replayed)).toEqual(scores(recorded));
    expect(replayed.totals.input_tokens).toBe(recorded.totals.input_tokens);
    expect(replayed.totals.output_tokens).toBe(recorded.totals.output_tokens);
    expect(replayed.totals.cost_usd).toBe(recorded.totals.cost_usd);
    expect(replayed.planner).toBe(`replay:${recordings}`);
  });
});
