import type { SuiteReport } from "../run-suite.js";

/** A share as a percentage with one decimal: 0.8333 → "83.3 %". */
export const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

/** A duration in ms as the reports show it. */
export const ms = (value: number | null | undefined) =>
  value === null || value === undefined
    ? "-"
    : value >= 10_000
      ? `${(value / 1000).toFixed(1)} s`
      : `${Math.round(value)} ms`;

/** The one line every report ends its summary with, and the terminal ends with. */
export const passLine = (report: SuiteReport) =>
  `${report.totals.passed} passed, ${report.totals.failed} failed`;

/** Tokens and cost, when the planner is a model. */
export function usageLine(report: SuiteReport): string | undefined {
  const t = report.totals;
  if (t.input_tokens + t.output_tokens === 0) return undefined;
  const cost = t.cost_usd === null ? "cost unknown for this model" : `$${t.cost_usd.toFixed(4)}`;
  return `${t.input_tokens} input + ${t.output_tokens} output tokens, ${cost}`;
}

/** The summary lines shared by the terminal and the Markdown. */
export function summaryLines(report: SuiteReport): string[] {
  const t = report.totals;
  const lines = [
    `planner ${report.planner}; ${t.cases} cases × ${report.repeat} on ${report.database}; ${ms(report.duration_ms)}`,
    `pass rate ${percent(t.pass_rate)} (${t.passed}/${t.cases})` +
      (report.repeat > 1
        ? `; pass@1 ${percent(t.pass_at_1)}, pass@${report.repeat} ${percent(t.pass_at_k)}, pass^${report.repeat} ${percent(t.pass_hat_k)}`
        : ""),
    `planner time p50 ${ms(t.planner_ms_p50)} per attempt`,
  ];
  const usage = usageLine(report);
  if (usage) lines.push(usage);
  return lines;
}
