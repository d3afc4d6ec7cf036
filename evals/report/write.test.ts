import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SuiteReport } from "../run-suite.js";
import { writeReports } from "./write.js";

const dir = mkdtempSync(join(tmpdir(), "ma-reports-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const detail = "cannot reach postgres://eval:hunter2@db.example/x (password=hunter2, token: abc123def456)";
const report: SuiteReport = {
  planner: "offline",
  started_at: "2026-11-25T10:00:00.000Z",
  duration_ms: 1234,
  node: "v20",
  repeat: 1,
  database: "postgres",
  cases: [
    {
      id: "a-case",
      file: "a-case.yaml",
      title: "A case",
      request: "do it",
      pass: false,
      runs: 1,
      passed: 0,
      pass_at_1: 0,
      pass_at_k: 0,
      pass_hat_k: 0,
      attempts: [
        {
          id: "a-case",
          file: "a-case.yaml",
          pass: false,
          outcome: "error",
          reason: detail,
          checks: [{ check: "system", pass: false, detail }],
          plan_summary: "not planned",
        },
      ],
    },
  ],
  totals: {
    cases: 1,
    passed: 0,
    failed: 1,
    pass_rate: 0,
    attempts: 1,
    attempts_passed: 0,
    pass_at_1: 0,
    pass_at_k: 0,
    pass_hat_k: 0,
    planner_ms_p50: null,
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: null,
  },
  failing_checks: [{ check: "system", failures: 1, cases: ["a-case"] }],
};

describe("the report files", () => {
  it("never carry a secret, and report.json stays JSON", async () => {
    const files = await writeReports(report, dir);
    expect(files.map((f) => f.split(/[\\/]/).at(-1))).toEqual(["report.json", "report.md", "report.html"]);
    for (const file of files) expect(readFileSync(file, "utf8")).not.toMatch(/hunter2|abc123def456/);
    const json = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    expect(json.cases[0].attempts[0].checks[0].detail).toMatch(/postgres:\/\/eval:\*\*\*@db\.example/);
    expect(readFileSync(join(dir, "report.md"), "utf8")).toMatch(/\*\*0 passed, 1 failed\*\*/);
  });
});
