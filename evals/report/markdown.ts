import type { SuiteReport } from "../run-suite.js";
import { ms, passLine, percent, summaryLines } from "./figures.js";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** report.md: the summary, the checks that failed, a table of the cases, then each case's checks (failing first). */
export function markdownReport(report: SuiteReport): string {
  const out: string[] = [
    `# Eval report: ${report.planner}`,
    "",
    `${report.started_at}, Node ${report.node}`,
    "",
  ];
  for (const line of summaryLines(report)) out.push(`- ${line}`);
  out.push(`- **${passLine(report)}**`, "");
  if (report.failing_checks.length) {
    out.push("## Checks that failed", "", "| check | failures | cases |", "|---|---|---|");
    for (const f of report.failing_checks) out.push(`| ${f.check} | ${f.failures} | ${f.cases.join(", ")} |`);
    out.push("");
  }
  out.push("## Cases", "", "| case | result | runs | pass@1 | planner | plan |", "|---|---|---|---|---|---|");
  for (const c of report.cases) {
    const a = c.attempts[0];
    out.push(
      `| ${c.id} | ${c.pass ? "pass" : "**FAIL**"} | ${c.passed}/${c.runs} | ${percent(c.pass_at_1)} | ${ms(a?.planner_ms)} | ${cell(a?.plan_summary ?? "")} |`,
    );
  }
  for (const c of [...report.cases.filter((x) => !x.pass), ...report.cases.filter((x) => x.pass)]) {
    out.push("", `### ${c.id}: ${c.pass ? "pass" : "FAIL"}`, "");
    if (c.title) out.push(`${c.title}. `);
    if (c.request) out.push(`> ${cell(c.request)}`, "");
    out.push(`\`${c.file}\``, "");
    c.attempts.forEach((attempt, i) => {
      if (c.runs > 1) out.push(`Attempt ${i + 1}: ${attempt.pass ? "pass" : "FAIL"}`, "");
      out.push("| check | result | detail |", "|---|---|---|");
      for (const check of attempt.checks)
        out.push(`| ${cell(check.check)} | ${check.pass ? "pass" : "**FAIL**"} | ${cell(check.detail)} |`);
      out.push("");
    });
  }
  return `${out.join("\n").trimEnd()}\n`;
}
