import { CODES, type DiagnosticCode } from "./codes.js";

export type Severity = "error" | "warning" | "info";

/** A path into the blueprint document: keys and array indexes, from the top-level `blueprint` key. */
export type DocPath = ReadonlyArray<string | number>;

/**
 * A problem the core found, as data. `path` points into the blueprint; `line` and `column`
 * (1-based) are filled in when the blueprint came from a file.
 */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  path: DocPath;
  message: string;
  hint: string;
  line?: number;
  column?: number;
  /** The file the blueprint came from, when it came from one. */
  file?: string;
}

/** Builds a diagnostic with the severity registered for its code. */
export function diagnostic(code: DiagnosticCode, path: DocPath, message: string, hint?: string): Diagnostic {
  const entry = CODES[code];
  return { code, severity: entry.severity, path, message, hint: hint ?? entry.hint };
}

/** `blueprint.phases[0].steps[2].rollback` */
export function formatPath(path: DocPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then by position in the file, then by code: a stable order for output. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.code.localeCompare(b.code),
  );
}
