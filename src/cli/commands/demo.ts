import type { Command } from "commander";
import { runDemo } from "../../demo/demo.js";
import { runDeployDemo } from "../../demo/deploy-demo.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";

export function registerDemo(program: Command, context: CliContext): void {
  program
    .command("demo")
    .description("run a zero-downtime migration on an embedded shop database while a client reads and writes")
    .option(
      "--inject-failure",
      "make a health check fail mid-way: watch the automatic rollback and the checksums",
    )
    .option("--keep", "keep the work directory (database and run state) for `report` and `status`")
    .option(
      "--deploy",
      "a canary of a new service version behind the embedded router instead; with --inject-failure the new version fails 30 % of its requests and the canary rolls back on its own",
    )
    .addHelpText(
      "after",
      "\nNeeds nothing but this package: PGlite, the sample services and the router run inside the process.\n\nExamples:\n  npm run demo\n  npm run demo -- --inject-failure\n  npm run demo -- --deploy\n  npm run demo -- --deploy --inject-failure",
    )
    .action(async (options: { injectFailure?: boolean; keep?: boolean; deploy?: boolean }) => {
      if (options.deploy && options.keep) {
        context.err(
          "--keep keeps the database demo's work directory; --deploy has none to keep: leave --keep out",
        );
        context.exit(EXIT.usage);
        return;
      }
      const code = options.deploy
        ? await runDeployDemo({
            injectFailure: Boolean(options.injectFailure),
            out: context.out,
            live: context.terminal,
          })
        : await runDemo({
            injectFailure: Boolean(options.injectFailure),
            keep: Boolean(options.keep),
            out: context.out,
            live: context.terminal,
          });
      context.exit(code);
    });
}
