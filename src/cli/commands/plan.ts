import { writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import type { Command } from "commander";
import pc from "picocolors";
import { saveBlueprintYaml } from "../../core/blueprint/save.js";
import { explainBlueprint } from "../../core/explain.js";
import { validateBlueprint } from "../../core/validate.js";
import { createRun, executeRun } from "../../executor/executor.js";
import { PLANNER_HELP, selectPlanner } from "../../planner/select.js";
import type { PlanResult } from "../../planner/types.js";
import { openSystem, parseTarget } from "../../services/system.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { formatDiagnostic } from "../output/diagnostics.js";
import { progressPrinter } from "../output/progress.js";
import { UsageError } from "../usage-error.js";
import { renderExplanation } from "./explain.js";
import { exitForStatus } from "./run.js";

interface PlanOptions {
  target: string[];
  planner: string;
  model?: string;
  out?: string;
  json?: boolean;
  run?: boolean;
  yes?: boolean;
  approve?: string;
  state?: string;
}

export function registerPlan(program: Command, context: CliContext): void {
  program
    .command("plan")
    .description("plan a migration from a sentence: discover the target, draft a blueprint, validate it")
    .argument("<request>", 'what to do, in plain words: "rename users.email to email_address"')
    .requiredOption(
      "--target <spec>",
      "a component: [ID=]postgres://…, pglite:PATH or env:NAME (a database), ID=router:ADMIN_URL?public=URL (a route of `migration-architect router`), ID=http://… (a service); repeat for several",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--planner <name>", PLANNER_HELP, "offline")
    .option("--model <model>", "the model of --planner anthropic (default MA_MODEL, else claude-sonnet-4-6)")
    .option("--out <file>", "write the blueprint YAML here (default <blueprint id>.yaml; - for stdout)")
    .option("--json", "print the plan result as JSON (blueprint, diagnostics, notes, usage)")
    .option("--run", "then run it, after a confirmation (on a terminal) or with --yes")
    .option("--yes", "with --run: do not ask; risky steps still need --approve")
    .option("--approve <steps>", "with --run: approve these risky steps (comma-separated ids)")
    .option("--state <dir>", "with --run: where run state is kept (default .migration-architect/)")
    .addHelpText(
      "after",
      `\nThe offline planner understands common schema changes in plain English (add, drop, rename a\ncolumn or table, change a type, NOT NULL, indexes, unique, foreign keys, checks, move a column);\nand deployments behind a traffic router (canary, blue-green, rolling, shadow);
it refuses what it does not understand, or what is unsafe as asked, and says why.\n\nExit codes: 0 a valid blueprint (and, with --run, a completed run), 1 refused or invalid (or the\nrun rolled back), 2 usage error or an unreachable target, 3 the run waits for a human.\n\nExamples:\n  migration-architect plan "add a nullable text column nickname to users" --target pglite:./shop\n  migration-architect plan "rename users.email to email_address" --target app-db=env:DATABASE_URL --out rename.yaml
  migration-architect plan "canary web v2, 10% first" --target web=router:http://127.0.0.1:8081?public=http://127.0.0.1:8080\n  ANTHROPIC_API_KEY=… migration-architect plan "split users.phone into its own table" --target env:DATABASE_URL --planner anthropic`,
    )
    .action(async (request: string, options: PlanOptions) => {
      const env: Record<string, string | undefined> = { ...context.env };
      const components = options.target.map((spec) => {
        let parsed: ReturnType<typeof parseTarget>;
        try {
          parsed = parseTarget(spec, env);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        Object.assign(env, parsed.env);
        if (parsed.note && !options.json) context.err(pc.dim(`note: ${parsed.note}`));
        return parsed.component;
      });
      const ids = components.map((c) => c.id);
      if (new Set(ids).size !== ids.length)
        throw new UsageError(`two --target share an id; name them: ID=REFERENCE`);
      let planner: Awaited<ReturnType<typeof selectPlanner>>;
      try {
        planner = await selectPlanner(options.planner, env, { model: options.model });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const system = openSystem(components, context.adapters, env);
      const discoveryStarted = performance.now();
      const found = await system.discoverAll();
      const discoveryMs = Math.round(performance.now() - discoveryStarted);
      if (found.failures.length) {
        for (const f of found.failures) context.err(`error: cannot discover '${f.component}': ${f.message}`);
        context.exit(EXIT.usage);
        return;
      }
      const result = await planner.plan({ request, system, catalog: context.catalog });
      if (options.json) context.out(JSON.stringify(forJson(result), null, 2));
      if (result.kind === "refusal") {
        if (!options.json) {
          context.err(`${pc.red("refused")} (${planner.name}): ${result.reason}`);
          if (result.understands) {
            context.err("\nI understand:");
            for (const line of result.understands) context.err(`  - ${line}`);
          }
        }
        context.exit(EXIT.invalid);
        return;
      }
      // The core's verdict on the draft, recomputed here: the planner's own claims are not used.
      const validation = validateBlueprint(result.blueprint, {
        catalog: context.catalog,
        discovery: found.discovery,
      });
      const file = options.out ?? `${result.blueprint.id}.yaml`;
      const yaml = saveBlueprintYaml(result.blueprint);
      if (file === "-") context.out(yaml);
      else await writeFile(file, yaml, "utf8");
      if (!options.json) {
        const explanation = explainBlueprint(validation.analysis);
        if (explanation) context.out(renderExplanation(explanation));
        for (const d of validation.diagnostics.filter((x) => x.severity !== "info"))
          context.out(formatDiagnostic(d));
        for (const note of result.notes) context.out(pc.dim(`note: ${note}`));
        context.out(
          `\n${validation.valid ? pc.green("valid") : pc.red("invalid")} blueprint${file === "-" ? "" : ` written to ${file}`} ` +
            pc.dim(
              `(${planner.name}: planned in ${result.elapsed_ms} ms after a ${discoveryMs} ms discovery${result.usage ? `, ${result.usage.input_tokens + result.usage.output_tokens} tokens${result.usage.cost_usd !== null ? `, $${result.usage.cost_usd.toFixed(4)}` : ""}` : ""})`,
            ),
        );
      }
      if (!validation.valid) {
        context.exit(EXIT.invalid);
        return;
      }
      if (!options.run) {
        if (!options.json && file !== "-") context.out(`run it with: migration-architect run ${file}`);
        context.exit(EXIT.ok);
        return;
      }
      const gated = validation.analysis.steps
        .filter((s) => validation.analysis.approvals[s.index])
        .map((s) => s.step.id);
      let approve =
        options.approve
          ?.split(",")
          .map((s) => s.trim())
          .filter(Boolean) ?? [];
      if (!options.yes) {
        if (!context.confirm)
          throw new UsageError("--run asks for a confirmation on a terminal; without one, add --yes");
        const question = gated.length
          ? `Run it now, approving ${gated.join(", ")} (risk above ${validation.analysis.approvalThreshold})? [y/N] `
          : "Run it now? [y/N] ";
        if (!(await context.confirm(question))) {
          context.out("not run.");
          context.exit(EXIT.ok);
          return;
        }
        approve = [...new Set([...approve, ...gated])];
      }
      const runtime = await context.openRuntime({
        stateDir: options.state,
        stateUrl: context.env.MA_STATE_URL,
        observe: progressPrinter({ json: Boolean(options.json), out: context.out, live: context.terminal }),
      });
      try {
        const deps = { ...runtime.deps, env: { ...runtime.deps.env, ...env } };
        const run = await createRun(deps, result.blueprint, { approve, approvedBy: userInfo().username });
        const final = await executeRun(deps, run.id);
        if (!options.json)
          context.out(`\nrun ${final.id}: ${final.status} — migration-architect report ${final.id}`);
        context.exit(exitForStatus(final));
      } finally {
        await runtime.close();
      }
    });
}

/** The plan result as JSON: everything but the transcript's bulk. */
function forJson(result: PlanResult): unknown {
  return { ...result, transcript: result.transcript.length };
}
