import { userInfo } from "node:os";
import type { Command } from "commander";
import { explainBlueprint } from "../../core/explain.js";
import { createRun, executeRun } from "../../executor/executor.js";
import type { RunRecord } from "../../store/types.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { progressPrinter } from "../output/progress.js";
import { renderExplanation } from "./explain.js";
import { loadSoundBlueprint } from "./load-sound.js";

/** Exit codes of run, resume and rollback, by the status the run ends in. */
export function exitForStatus(run: RunRecord): number {
  if (run.status === "completed") return EXIT.ok;
  if (run.status === "rolled_back" || run.status === "failed") return EXIT.invalid;
  return EXIT.waiting; // awaiting approval or confirmation, paused for a manual step
}

export function stateOptions(command: Command): Command {
  return command
    .option(
      "--state <dir>",
      "where run state is kept (PGlite), default .migration-architect/ here; MA_STATE_URL=postgres://… uses PostgreSQL",
    )
    .option("--json", "one JSON event per line (run_id, seq, type, at, and the step or check)");
}

export function registerRun(program: Command, context: CliContext): void {
  stateOptions(
    program
      .command("run")
      .description(
        "run a blueprint: pre checks, phases with checkpoints, intra checks, post checks; automatic rollback",
      )
      .argument("<file>", "blueprint file (YAML or JSON)")
      .option("--dry-run", "validate and print the plan; touch nothing")
      .option("--approve <steps>", "approve these risky steps now (comma-separated step ids)")
      .option(
        "--concurrency <n>",
        "at most this many steps at once (default: constraints.max_parallelism, else 4)",
      ),
  )
    .addHelpText(
      "after",
      "\nExit codes: 0 completed, 1 rolled back or failed, 2 usage or unreadable file, 3 waiting for a human (approval, confirmation, manual rollback step).\n\nExample:\n  DATABASE_URL=pglite:./shop.db migration-architect run examples/rename-column.yaml",
    )
    .action(
      async (
        file: string,
        options: { dryRun?: boolean; approve?: string; concurrency?: string; state?: string; json?: boolean },
      ) => {
        const check = await loadSoundBlueprint(file, context);
        if (!check?.analysis || !check.loaded) return;
        if (options.dryRun) {
          const explanation = explainBlueprint(check.analysis);
          if (explanation)
            context.out(options.json ? JSON.stringify(explanation) : renderExplanation(explanation));
          if (!options.json) context.out("\n(dry run: nothing was touched)");
          context.exit(EXIT.ok);
          return;
        }
        const runtime = await context.openRuntime({
          stateDir: options.state,
          stateUrl: context.env.MA_STATE_URL,
          observe: progressPrinter({ json: Boolean(options.json), out: context.out, live: context.terminal }),
        });
        try {
          const run = await createRun(runtime.deps, check.loaded.blueprint, {
            approve: options.approve
              ?.split(",")
              .map((s) => s.trim())
              .filter(Boolean),
            approvedBy: userInfo().username,
            concurrency: options.concurrency ? Number(options.concurrency) : undefined,
          });
          if (!options.json) context.out(`run ${run.id} (resume with: migration-architect resume ${run.id})`);
          const final = await executeRun(runtime.deps, run.id);
          if (!options.json)
            context.out(`\nrun ${final.id}: ${final.status} — migration-architect report ${final.id}`);
          context.exit(exitForStatus(final));
        } finally {
          await runtime.close();
        }
      },
    );

  stateOptions(
    program
      .command("resume")
      .description("carry a run on from where it stopped (a crash, an approval, a confirmed rollback step)")
      .argument("<run>", "run id"),
  ).action(async (runId: string, options: { state?: string; json?: boolean }) => {
    const runtime = await context.openRuntime({
      stateDir: options.state,
      stateUrl: context.env.MA_STATE_URL,
      observe: progressPrinter({ json: Boolean(options.json), out: context.out, live: context.terminal }),
    });
    try {
      const final = await executeRun(runtime.deps, runId);
      if (!options.json)
        context.out(`\nrun ${final.id}: ${final.status} — migration-architect report ${final.id}`);
      context.exit(exitForStatus(final));
    } finally {
      await runtime.close();
    }
  });
}
