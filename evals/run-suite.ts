import { percentile } from "../src/adapters/check-result.js";
import type { Adapter } from "../src/adapters/types.js";
import type { ActionCatalog } from "../src/core/catalog/catalog.js";
import type { Planner } from "../src/planner/types.js";
import { CaseFileError, type LoadedCase, loadCase } from "./case.js";
import { caseFilter } from "./case-files.js";
import { passAtK, passHatK } from "./pass-at-k.js";
import { type CaseResult, runCase } from "./run-case.js";
import type { CheckResult } from "./score-plan.js";

/** One attempt of a case, as the report keeps it (the plan's transcript is left out: it is bulk). */
export type Attempt = Omit<CaseResult, "plan"> & {
  /** The blueprint's id and step count, or the refusal. */
  plan_summary: string;
};

/** A case over all its attempts. */
export interface CaseSummary {
  id: string;
  file: string;
  title: string | null;
  request: string | null;
  /** Every attempt passed. */
  pass: boolean;
  runs: number;
  passed: number;
  pass_at_1: number;
  pass_at_k: number;
  pass_hat_k: number;
  attempts: Attempt[];
}

export interface SuiteReport {
  planner: string;
  started_at: string;
  duration_ms: number;
  node: string;
  repeat: number;
  database: "pglite" | "postgres";
  cases: CaseSummary[];
  totals: {
    cases: number;
    passed: number;
    failed: number;
    pass_rate: number;
    attempts: number;
    attempts_passed: number;
    /** Means over the cases, with k = repeat. */
    pass_at_1: number;
    pass_at_k: number;
    pass_hat_k: number;
    /** The planner's time per attempt, p50 (nearest rank). */
    planner_ms_p50: number | null;
    input_tokens: number;
    output_tokens: number;
    cost_usd: number | null;
  };
  /** Each kind of check that failed somewhere (`actions_include`, `after`, …), with the cases. */
  failing_checks: { check: string; failures: number; cases: string[] }[];
}

export interface SuiteOptions {
  files: readonly string[];
  planner: Planner;
  catalog: ActionCatalog;
  adapters: ReadonlyArray<Adapter<unknown>>;
  /** Attempts per case (pass@k, pass^k with k = repeat). */
  repeat: number;
  /** Cases run at once. */
  concurrency: number;
  databaseUrl?: string;
  /** `--filter`: applied to each case's id and file. */
  filter?: string;
  /** Told of each attempt as it ends (the terminal's progress lines). */
  onAttempt?(summary: { id: string; attempt: number; of: number; result: Attempt }): void;
}

/**
 * Runs every case `repeat` times and scores the suite. A case file that cannot be loaded is a
 * failed case with the reason, never left out; ids must be unique across the files.
 */
export async function runSuite(options: SuiteOptions): Promise<SuiteReport> {
  const started = new Date();
  const keep = caseFilter(options.filter);
  const loaded: { file: string; case?: LoadedCase; error?: string }[] = [];
  const seen = new Map<string, string>();
  for (const file of options.files) {
    try {
      const one = await loadCase(file);
      if (!keep(one.case.id, file)) continue;
      const earlier = seen.get(one.case.id);
      if (earlier) {
        loaded.push({
          file,
          error: `the id '${one.case.id}' is also the id of ${earlier}: ids must be unique`,
        });
        continue;
      }
      seen.set(one.case.id, file);
      loaded.push({ file, case: one });
    } catch (error) {
      if (!(error instanceof CaseFileError)) throw error;
      if (keep(undefined, file)) loaded.push({ file, error: error.message });
    }
  }

  const attempts = new Map<number, Attempt[]>();
  const jobs = loaded.flatMap((entry, index) =>
    Array.from({ length: options.repeat }, (_, attempt) => ({ entry, index, attempt })),
  );
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      if (!job) break;
      const result = await attemptOf(job.entry, options);
      const list = attempts.get(job.index) ?? [];
      list[job.attempt] = result;
      attempts.set(job.index, list);
      options.onAttempt?.({ id: result.id, attempt: job.attempt + 1, of: options.repeat, result });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, jobs.length)) }, worker));

  const cases = loaded.map((entry, index): CaseSummary => {
    const list = attempts.get(index) ?? [];
    const passed = list.filter((a) => a.pass).length;
    const n = list.length;
    return {
      id: entry.case?.case.id ?? idFromFile(entry.file),
      file: entry.file,
      title: entry.case?.case.title ?? null,
      request: entry.case?.case.request.trim() ?? null,
      pass: n > 0 && passed === n,
      runs: n,
      passed,
      pass_at_1: n ? passAtK(n, passed, 1) : 0,
      pass_at_k: n ? passAtK(n, passed, n) : 0,
      pass_hat_k: n ? passHatK(n, passed, n) : 0,
      attempts: list,
    };
  });
  return {
    planner: options.planner.name,
    started_at: started.toISOString(),
    duration_ms: Date.now() - started.getTime(),
    node: process.version,
    repeat: options.repeat,
    database: options.databaseUrl ? "postgres" : "pglite",
    cases,
    totals: totalsOf(cases),
    failing_checks: failingChecks(cases),
  };
}

async function attemptOf(
  entry: { file: string; case?: LoadedCase; error?: string },
  options: SuiteOptions,
): Promise<Attempt> {
  if (!entry.case) {
    const reason = entry.error ?? "the case could not be loaded";
    return {
      id: idFromFile(entry.file),
      file: entry.file,
      pass: false,
      outcome: "error",
      reason,
      checks: [{ check: "case", pass: false, detail: reason }],
      plan_summary: "not planned",
    };
  }
  let result: CaseResult;
  try {
    result = await runCase(entry.case, {
      planner: options.planner,
      catalog: options.catalog,
      adapters: options.adapters,
      databaseUrl: options.databaseUrl,
    });
  } catch (error) {
    // runCase reports failures as results; anything thrown is a bug, still counted as a failure.
    const reason = `the runner failed: ${(error as Error)?.message ?? String(error)}`;
    result = {
      id: entry.case.case.id,
      file: entry.file,
      pass: false,
      outcome: "error",
      reason,
      checks: [{ check: "runner", pass: false, detail: reason }],
    };
  }
  const { plan, ...rest } = result;
  const plan_summary =
    plan?.kind === "blueprint"
      ? `${plan.blueprint.id}: ${plan.blueprint.phases.reduce((n, p) => n + p.steps.length, 0)} steps in ${plan.blueprint.phases.length} phases`
      : plan?.kind === "refusal"
        ? `refused: ${plan.reason}`
        : "no plan";
  // Failing checks first: what a reader wants to see.
  return { ...rest, checks: sortChecks(rest.checks), plan_summary };
}

function sortChecks(checks: CheckResult[]): CheckResult[] {
  return [...checks.filter((c) => !c.pass), ...checks.filter((c) => c.pass)];
}

function idFromFile(file: string): string {
  return (file.split(/[\\/]/).at(-1) ?? file).replace(/\.ya?ml$/, "");
}

function totalsOf(cases: CaseSummary[]): SuiteReport["totals"] {
  const all = cases.flatMap((c) => c.attempts);
  const mean = (pick: (c: CaseSummary) => number) =>
    cases.length ? cases.reduce((sum, c) => sum + pick(c), 0) / cases.length : 0;
  const plannerTimes = all.map((a) => a.planner_ms).filter((t): t is number => typeof t === "number");
  const costs = all.map((a) => a.usage?.cost_usd);
  const passed = cases.filter((c) => c.pass).length;
  return {
    cases: cases.length,
    passed,
    failed: cases.length - passed,
    pass_rate: cases.length ? passed / cases.length : 0,
    attempts: all.length,
    attempts_passed: all.filter((a) => a.pass).length,
    pass_at_1: mean((c) => c.pass_at_1),
    pass_at_k: mean((c) => c.pass_at_k),
    pass_hat_k: mean((c) => c.pass_hat_k),
    planner_ms_p50: plannerTimes.length
      ? percentile(
          [...plannerTimes].sort((a, b) => a - b),
          50,
        )
      : null,
    input_tokens: all.reduce((n, a) => n + (a.usage?.input_tokens ?? 0), 0),
    output_tokens: all.reduce((n, a) => n + (a.usage?.output_tokens ?? 0), 0),
    cost_usd: costs.some((c) => c === null) ? null : costs.reduce<number>((sum, c) => sum + (c ?? 0), 0),
  };
}

/** The kind of a check: its first word (`actions_include postgres.add_column` → `actions_include`). */
function checkKind(check: string): string {
  return check.split(" ")[0] ?? check;
}

function failingChecks(cases: CaseSummary[]): SuiteReport["failing_checks"] {
  const byKind = new Map<string, { failures: number; cases: Set<string> }>();
  for (const c of cases)
    for (const a of c.attempts)
      for (const check of a.checks) {
        if (check.pass) continue;
        const kind = checkKind(check.check);
        const entry = byKind.get(kind) ?? { failures: 0, cases: new Set<string>() };
        entry.failures++;
        entry.cases.add(c.id);
        byKind.set(kind, entry);
      }
  return [...byKind.entries()]
    .map(([check, { failures, cases: ids }]) => ({ check, failures, cases: [...ids] }))
    .sort((a, b) => b.failures - a.failures || a.check.localeCompare(b.check));
}
