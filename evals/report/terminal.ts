import Table from "cli-table3";
import type { SuiteReport } from "../run-suite.js";
import { ms, passLine, summaryLines } from "./figures.js";

/** The terminal's report: a table of the cases, the checks that failed, the totals; last line "N passed, N failed". */
export function terminalReport(
  report: SuiteReport,
  colors: { green(s: string): string; red(s: string): string },
): string {
  const table = new Table({
    head: ["case", "result", "runs", "planner", "failing checks"],
    style: { head: [], border: [] },
    colWidths: [38, 8, 6, 10, 60],
    wordWrap: true,
  });
  for (const c of report.cases) {
    const failing = c.attempts.flatMap((a) =>
      a.checks.filter((x) => !x.pass).map((x) => `${x.check}: ${x.detail}`),
    );
    const times = c.attempts.map((a) => a.planner_ms).filter((t): t is number => typeof t === "number");
    table.push([
      c.id,
      c.pass ? colors.green("pass") : colors.red("FAIL"),
      `${c.passed}/${c.runs}`,
      times.length ? ms(Math.max(...times)) : "-",
      [...new Set(failing)].slice(0, 3).join("\n").slice(0, 400) || "",
    ]);
  }
  const out = [table.toString()];
  if (report.failing_checks.length) {
    out.push("failing checks:");
    for (const f of report.failing_checks) out.push(`  ${f.check}: ${f.failures} (${f.cases.join(", ")})`);
  }
  out.push(...summaryLines(report), passLine(report));
  return out.join("\n");
}
