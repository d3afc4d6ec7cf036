import type { Command } from "commander";
import pc from "picocolors";
import { CasePathError, caseFiles } from "../../../evals/case-files.js";
import { terminalReport } from "../../../evals/report/terminal.js";
import { writeReports } from "../../../evals/report/write.js";
import { runSuite } from "../../../evals/run-suite.js";
import { redactConnection } from "../../adapters/connection-string.js";
import { redactSecrets, redactText } from "../../adapters/redact.js";
import { PLANNER_HELP, selectPlanner } from "../../planner/select.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";

interface EvalOptions {
  planner: string;
  model?: string;
  repeat: string;
  concurrency: string;
  databaseUrl?: string;
  out: string;
  filter?: string;
  minPassRate?: string;
  json?: boolean;
}

const whole = (name: string, value: string, min: number) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${name} must be a whole number ≥ ${min}, not '${value}'`);
  return n;
};

export function registerEval(program: Command, context: CliContext): void {
  program
    .command("eval")
    .description(
      "score a planner on eval cases: plan each case's request, check the plan, execute it, roll it back",
    )
    .argument("<paths...>", "case files or folders of cases (.yaml, searched recursively)")
    .option("--planner <name>", PLANNER_HELP, "offline")
    .option("--model <model>", "the model of --planner anthropic")
    .option("--repeat <k>", "attempts per case: pass@k and pass^k", "1")
    .option("--concurrency <n>", "cases run at once", "1")
    .option(
      "--database-url <url>",
      "execute on this PostgreSQL server, a fresh database per case (default: PGlite)",
    )
    .option("--out <dir>", "where report.json, report.md and report.html go", "eval-report")
    .option("--filter <glob>", "only the cases whose id or file matches (e.g. 'app-*', '**/pagila/**')")
    .option("--min-pass-rate <share>", "exit 0 when at least this share of cases pass (default 1: all)")
    .option("--json", "print the report as JSON instead of the table")
    .addHelpText(
      "after",
      `
Each case (../shared/evals/FORMAT.md) is built fresh, discovered, planned, and its plan checked
(valid, actions, order, patterns, approvals, rollback coverage, downtime, refusal); a case with
\`execute\` is then run under its traffic, its \`after\` checks run, and the run rolled back and
compared with the state before it. A case the runner cannot build or execute fails with the reason.

Exit codes: 0 every case passed (or the pass rate reached --min-pass-rate), 1 otherwise, 2 usage.

Examples:
  migration-architect eval ../shared/evals/cases --planner offline
  migration-architect eval evals/suites --filter 'pagila-*' --out /tmp/report
  MA_RECORD=1 migration-architect eval evals/suites --planner anthropic --repeat 3`,
    )
    .action(async (paths: string[], options: EvalOptions) => {
      const repeat = whole("--repeat", options.repeat, 1);
      const concurrency = whole("--concurrency", options.concurrency, 1);
      const minPassRate = options.minPassRate === undefined ? 1 : Number(options.minPassRate);
      if (!(minPassRate >= 0 && minPassRate <= 1))
        throw new UsageError(`--min-pass-rate must be a share between 0 and 1, not '${options.minPassRate}'`);
      let files: string[];
      try {
        files = await caseFiles(paths);
      } catch (error) {
        if (error instanceof CasePathError) throw new UsageError(error.message);
        throw error;
      }
      let planner: Awaited<ReturnType<typeof selectPlanner>>;
      try {
        planner = await selectPlanner(options.planner, context.env, { model: options.model });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const report = await runSuite({
        files,
        planner,
        catalog: context.catalog,
        adapters: context.adapters,
        repeat,
        concurrency,
        databaseUrl: options.databaseUrl,
        filter: options.filter,
        onAttempt: options.json
          ? undefined
          : ({ id, attempt, of, result }) =>
              context.err(
                `${result.pass ? pc.green("✓") : pc.red("✗")} ${id}${of > 1 ? ` (${attempt}/${of})` : ""}${
                  result.pass
                    ? ""
                    : pc.dim(` ${redactText(result.checks.find((c) => !c.pass)?.detail ?? "")}`.slice(0, 160))
                }`,
              ),
      });
      if (report.cases.length === 0) throw new UsageError(`no case matches --filter ${options.filter}`);
      const written = await writeReports(report, options.out);
      context.err(
        pc.dim(
          `reports: ${written.join(", ")}${options.databaseUrl ? ` (executed on ${redactConnection(options.databaseUrl)})` : ""}`,
        ),
      );
      // The last line: "N passed, N failed".
      context.out(
        options.json
          ? JSON.stringify(redactSecrets(report), null, 2)
          : redactText(terminalReport(report, pc)),
      );
      const passed = report.totals.pass_rate >= minPassRate;
      context.exit(passed ? EXIT.ok : EXIT.invalid);
    });
}
