import pc from "picocolors";
import { CODES } from "../../core/diagnostics/codes.js";
import { type Diagnostic, formatPath } from "../../core/diagnostics/diagnostic.js";

const SEVERITY_COLOR = { error: pc.red, warning: pc.yellow, info: pc.cyan } as const;

/** `file:line:col: error MA103 message` then the hint, indented — the format editors link. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file, d.line, d.column].filter((x) => x !== undefined).join(":");
  const severity = SEVERITY_COLOR[d.severity](d.severity);
  const path = d.path.length ? pc.dim(` (${formatPath(d.path)})`) : "";
  const head = `${where ? `${pc.bold(where)}: ` : ""}${severity} ${pc.bold(d.code)} ${d.message}${path}`;
  return `${head}\n  ${pc.dim(`hint: ${d.hint}`)}`;
}

export function countBySeverity(diagnostics: readonly Diagnostic[]) {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  return counts;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `✓ file: valid (0 errors, 1 warning)` */
export function formatSummary(file: string, diagnostics: readonly Diagnostic[]): string {
  const c = countBySeverity(diagnostics);
  const counts = `${plural(c.error, "error")}, ${plural(c.warning, "warning")}`;
  return c.error
    ? `${pc.red("✗")} ${file}: invalid (${counts})`
    : `${pc.green("✓")} ${file}: valid (${counts})`;
}

/** The code's title, for `--json` consumers that want it. */
export function codeTitle(d: Diagnostic): string {
  return CODES[d.code].title;
}
