import { userInfo } from "node:os";
import Table from "cli-table3";
import type { Command } from "commander";
import type { Blueprint } from "../../core/blueprint/schema.js";
import { RollbackRefused, type RollbackRequest, requestRollback } from "../../executor/request-rollback.js";
import { reportMarkdown } from "../../monitor/report.js";
import { approveStep, confirmRollback } from "../../services/approvals.js";
import { reportOf } from "../../services/run-report.js";
import { waitingOf } from "../../services/run-service.js";
import type { Runtime } from "../../services/runtime.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { progressPrinter } from "../output/progress.js";
import { UsageError } from "../usage-error.js";
import { exitForStatus, stateOptions } from "./run.js";

async function withRuntime(
  context: CliContext,
  options: { state?: string; json?: boolean },
  work: (runtime: Runtime) => Promise<void>,
  live = false,
): Promise<void> {
  const runtime = await context.openRuntime({
    stateDir: options.state,
    stateUrl: context.env.MA_STATE_URL,
    observe: live
      ? progressPrinter({ json: Boolean(options.json), out: context.out, live: context.terminal })
      : undefined,
  });
  try {
    await work(runtime);
  } finally {
    await runtime.close();
  }
}

async function mustGetRun(runtime: Runtime, runId: string) {
  const run = await runtime.deps.store.getRun(runId);
  if (!run)
    throw new UsageError(
      `no run '${runId}' here (migration-architect status lists the runs; --state or MA_STATE_URL say where)`,
    );
  return run;
}

export function registerRunCommands(program: Command, context: CliContext): void {
  stateOptions(
    program.command("status").description("list runs, or show one run's steps").argument("[run]", "run id"),
  ).action(async (runId: string | undefined, options: { state?: string; json?: boolean }) => {
    await withRuntime(context, options, async (runtime) => {
      const store = runtime.deps.store;
      if (!runId) {
        const runs = await store.listRuns();
        if (options.json) context.out(JSON.stringify(runs, null, 2));
        else if (runs.length === 0) context.out("no runs yet (migration-architect run FILE starts one)");
        else {
          const table = new Table({
            head: ["run", "blueprint", "status", "updated"],
            style: { head: [], border: [] },
          });
          for (const r of runs) table.push([r.id, r.blueprint_id, r.status, r.updated_at]);
          context.out(table.toString());
        }
        context.exit(EXIT.ok);
        return;
      }
      const run = await mustGetRun(runtime, runId);
      const steps = await store.getStepStates(runId);
      if (options.json) {
        context.out(JSON.stringify({ run, steps }, null, 2));
      } else {
        context.out(`run ${run.id}: ${run.status}${run.holder ? ` (held by ${run.holder})` : ""}`);
        const table = new Table({
          head: ["step", "state", "attempts", "finished"],
          style: { head: [], border: [] },
        });
        for (const s of steps) table.push([s.step_id, s.state, String(s.attempts), s.finished_at ?? "-"]);
        context.out(table.toString());
        // What the run waits for, with its approval code: the person's proof for an assistant (MCP approve_step).
        const blueprint = (await store.getBlueprint(run.blueprint_hash))?.content as Blueprint;
        const waiting = await waitingOf(store, run, blueprint, steps);
        for (const a of waiting.approvals) {
          context.out(
            `waits for your approval of ${a.step_id} (${a.action} on ${a.component}, ${a.reason ? `to accept: ${a.reason}` : `risk ${a.risk ?? "?"}`}): approval code ${a.code}\n  approve: migration-architect approve ${run.id} --step ${a.step_id}   (or give the code to your assistant)`,
          );
        }
        const c = waiting.confirmation;
        if (c) {
          context.out(
            `waits for you ${c.level === 2 ? "to do by hand, then confirm," : "to confirm"} the rollback of ${c.step_id}: ${c.instructions}; approval code ${c.code}\n  confirm: migration-architect approve ${run.id} --confirm ${c.step_id}   (or give the code to your assistant)`,
          );
        }
      }
      context.exit(EXIT.ok);
    });
  });

  stateOptions(
    program
      .command("approve")
      .description("approve a risky step (bound to its content hash), or confirm a paused rollback step")
      .argument("<run>", "run id")
      .option("--step <id>", "the step to approve")
      .option(
        "--confirm <id>",
        "confirm the rollback step the run waits on (level 1), or that a manual one (level 2) was done",
      )
      .option("--by <name>", "who approves (default: the OS user)"),
  ).action(
    async (
      runId: string,
      options: { step?: string; confirm?: string; by?: string; state?: string; json?: boolean },
    ) => {
      if (!options.step === !options.confirm)
        throw new UsageError("say --step ID (approve a step) or --confirm ID (confirm a rollback step)");
      await withRuntime(context, options, async (runtime) => {
        const store = runtime.deps.store;
        const run = await mustGetRun(runtime, runId);
        const blueprint = (await store.getBlueprint(run.blueprint_hash))?.content as Blueprint;
        const stepId = (options.step ?? options.confirm) as string;
        const step = blueprint.phases.flatMap((p) => p.steps).find((s) => s.id === stepId);
        if (!step) throw new UsageError(`run ${runId} has no step '${stepId}'`);
        const by = options.by ?? userInfo().username;
        if (options.step) {
          const hash = await approveStep(store, runId, step, by);
          context.out(
            `approved ${stepId} (${hash.slice(0, 19)}…) by ${by}; continue with: migration-architect resume ${runId}`,
          );
        } else {
          await confirmRollback(store, runId, stepId, by);
          context.out(
            `confirmed the rollback of ${stepId} by ${by}; continue with: migration-architect resume ${runId}`,
          );
        }
        context.exit(EXIT.ok);
      });
    },
  );

  stateOptions(
    program
      .command("rollback")
      .description("roll a run back: everything (default), to a checkpoint (--to), or chosen steps (--steps)")
      .argument("<run>", "run id")
      .option("--to <checkpoint>", "point-in-time: undo everything after this checkpoint")
      .option("--steps <ids>", "selective: undo only these steps (refused when a kept step depends on one)"),
  ).action(
    async (runId: string, options: { to?: string; steps?: string; state?: string; json?: boolean }) => {
      if (options.to && options.steps) throw new UsageError("--to and --steps cannot be combined");
      const request: RollbackRequest = options.to
        ? { kind: "checkpoint", checkpoint: options.to }
        : options.steps
          ? {
              kind: "steps",
              steps: options.steps
                .split(",")
                .map((s) => s.trim())
                .filter(Boolean),
            }
          : { kind: "all" };
      await withRuntime(
        context,
        options,
        async (runtime) => {
          await mustGetRun(runtime, runId);
          try {
            const final = await requestRollback(runtime.deps, runId, request);
            if (!options.json)
              context.out(`\nrun ${final.id}: ${final.status} — migration-architect report ${final.id}`);
            context.exit(final.status === "rolled_back" ? EXIT.ok : exitForStatus(final));
          } catch (error) {
            if (!(error instanceof RollbackRefused)) throw error;
            context.err(`refused${error.code ? ` (${error.code})` : ""}: ${error.message}`);
            context.exit(EXIT.invalid);
          }
        },
        true,
      );
    },
  );

  stateOptions(
    program
      .command("report")
      .description(
        "a run's report: timeline, steps and durations, health-check figures, approvals, rollbacks, incident",
      )
      .argument("<run>", "run id"),
  ).action(async (runId: string, options: { state?: string; json?: boolean }) => {
    await withRuntime(context, options, async (runtime) => {
      const store = runtime.deps.store;
      const run = await mustGetRun(runtime, runId);
      const report = await reportOf(store, run);
      context.out(options.json ? JSON.stringify(report, null, 2) : reportMarkdown(report).trimEnd());
      context.exit(EXIT.ok);
    });
  });
}
