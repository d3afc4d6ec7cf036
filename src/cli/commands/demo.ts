import type { Command } from "commander";
import { runDemo } from "../../demo/demo.js";
import type { CliContext } from "../context.js";

export function registerDemo(program: Command, context: CliContext): void {
  program
    .command("demo")
    .description("run a zero-downtime migration on an embedded shop database while a client reads and writes")
    .option(
      "--inject-failure",
      "make a health check fail mid-way: watch the automatic rollback and the checksums",
    )
    .option("--keep", "keep the work directory (database and run state) for `report` and `status`")
    .addHelpText(
      "after",
      "\nNeeds nothing but this package: PGlite runs inside the process.\n\nExamples:\n  npm run demo\n  npm run demo -- --inject-failure",
    )
    .action(async (options: { injectFailure?: boolean; keep?: boolean }) => {
      const code = await runDemo({
        injectFailure: Boolean(options.injectFailure),
        keep: Boolean(options.keep),
        out: context.out,
        live: context.terminal,
      });
      context.exit(code);
    });
}
