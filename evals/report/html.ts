import type { SuiteReport } from "../run-suite.js";
import { ms, passLine, percent, summaryLines } from "./figures.js";

const html = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1d1d1f; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; } h3 { font-size: 1rem; margin: 1.5rem 0 .3rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid #d2d2d7; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f5f5f7; }
.pass { color: #1a7f37; font-weight: 600; } .fail { color: #cf222e; font-weight: 700; }
tr.failed td { background: #fff5f5; }
blockquote { margin: .3rem 0; color: #57606a; border-left: 3px solid #d2d2d7; padding-left: .6rem; }
code { font-size: 12px; color: #57606a; }
.summary li { margin: .15rem 0; }`;

/** report.html: one self-contained page (no script, no external file): the summary, then a table per case, failing checks first. */
export function htmlReport(report: SuiteReport): string {
  const mark = (pass: boolean) =>
    pass ? `<span class="pass">pass</span>` : `<span class="fail">FAIL</span>`;
  const parts: string[] = [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>Eval report: ${html(report.planner)}</title><style>${STYLE}</style></head><body>`,
    `<h1>Eval report: ${html(report.planner)}</h1>`,
    `<p>${html(report.started_at)}, Node ${html(report.node)}</p>`,
    `<ul class="summary">${summaryLines(report)
      .map((l) => `<li>${html(l)}</li>`)
      .join("")}<li><strong>${html(passLine(report))}</strong></li></ul>`,
  ];
  if (report.failing_checks.length) {
    parts.push("<h2>Checks that failed</h2><table><tr><th>check</th><th>failures</th><th>cases</th></tr>");
    for (const f of report.failing_checks)
      parts.push(
        `<tr><td>${html(f.check)}</td><td>${f.failures}</td><td>${html(f.cases.join(", "))}</td></tr>`,
      );
    parts.push("</table>");
  }
  parts.push("<h2>Cases</h2>");
  for (const c of [...report.cases.filter((x) => !x.pass), ...report.cases.filter((x) => x.pass)]) {
    parts.push(
      `<h3 id="${html(c.id)}">${html(c.id)} ${mark(c.pass)} <small>${c.passed}/${c.runs}, pass@1 ${percent(c.pass_at_1)}</small></h3>`,
    );
    if (c.title) parts.push(`<div>${html(c.title)}</div>`);
    if (c.request) parts.push(`<blockquote>${html(c.request)}</blockquote>`);
    parts.push(`<code>${html(c.file)}</code>`);
    c.attempts.forEach((attempt, i) => {
      parts.push(
        `<table><tr><th>check${c.runs > 1 ? ` (attempt ${i + 1})` : ""}</th><th>result</th><th>detail</th></tr>`,
      );
      for (const check of attempt.checks)
        parts.push(
          `<tr${check.pass ? "" : ' class="failed"'}><td>${html(check.check)}</td><td>${mark(check.pass)}</td><td>${html(check.detail)}</td></tr>`,
        );
      parts.push(
        `<tr><td>plan</td><td></td><td>${html(attempt.plan_summary)}; planner ${html(ms(attempt.planner_ms))}</td></tr></table>`,
      );
    });
  }
  parts.push("</body></html>");
  return `${parts.join("\n")}\n`;
}
