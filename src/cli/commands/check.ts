import { type Command, Option } from "commander";
import pc from "picocolors";
import { redactText } from "../../adapters/redact.js";
import { checkNow } from "../../executor/check-now.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { loadSoundBlueprint } from "./load-sound.js";

export function registerCheck(program: Command, context: CliContext): void {
  program
    .command("check")
    .description("run a blueprint's health checks of one stage now, against the live components (read-only)")
    .argument("<file>", "blueprint file (YAML or JSON)")
    .addOption(new Option("--stage <stage>", "which checks").choices(["pre", "intra", "post"]).default("pre"))
    .option("--json", "print the results as JSON")
    .addHelpText("after", "\nExit codes: 0 all passed, 1 a check failed, 2 usage or unreadable file.")
    .action(async (file: string, options: { stage: "pre" | "intra" | "post"; json?: boolean }) => {
      const check = await loadSoundBlueprint(file, context);
      if (!check?.loaded) return;
      {
        const results = await checkNow(
          { adapters: context.adapters, env: context.env },
          check.loaded.blueprint,
          options.stage,
        );
        if (options.json) context.out(redactText(JSON.stringify(results, null, 2)));
        else {
          if (results.length === 0) context.out(`no ${options.stage} health checks in ${file}`);
          for (const r of results) {
            const mark = r.status === "pass" ? pc.green("✓") : pc.red("✗");
            context.out(
              redactText(
                `${mark} ${r.check_id} (${r.type}, ${r.component}): ${r.message} ${pc.dim(JSON.stringify(r.figures))}`,
              ),
            );
          }
        }
        context.exit(results.every((r) => r.status === "pass") ? EXIT.ok : EXIT.invalid);
      }
    });
}
