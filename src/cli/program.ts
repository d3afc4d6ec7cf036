import { Command } from "commander";
import { registerCheck } from "./commands/check.js";
import { registerCodes } from "./commands/codes.js";
import { registerDemo } from "./commands/demo.js";
import { registerEval } from "./commands/eval.js";
import { registerExplain } from "./commands/explain.js";
import { registerGraph } from "./commands/graph.js";
import { registerMcp } from "./commands/mcp.js";
import { registerPlan } from "./commands/plan.js";
import { registerRouter } from "./commands/router.js";
import { registerRun } from "./commands/run.js";
import { registerRunCommands } from "./commands/runs.js";
import { registerSampleService } from "./commands/sample-service.js";
import { registerSchema } from "./commands/schema.js";
import { registerValidate } from "./commands/validate.js";
import type { CliContext } from "./context.js";
import { version } from "./version.js";

/** The `migration-architect` command with every subcommand. */
export function buildProgram(context: CliContext): Command {
  const program = new Command("migration-architect")
    .description("Plan and execute zero-downtime system migrations.")
    .version(version(), "-V, --version")
    .option("--debug", "print stack traces of unexpected errors")
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({
      writeOut: (text) => context.out(text.trimEnd()),
      writeErr: (text) => context.err(text.trimEnd()),
    });
  registerDemo(program, context);
  registerPlan(program, context);
  registerValidate(program, context);
  registerExplain(program, context);
  registerGraph(program, context);
  registerRun(program, context);
  registerRunCommands(program, context);
  registerCheck(program, context);
  registerSchema(program, context);
  registerCodes(program, context);
  registerMcp(program, context);
  registerEval(program, context);
  registerRouter(program, context);
  registerSampleService(program, context);
  return program;
}
