import type { Command } from "commander";
import { blueprintJsonSchema } from "../../core/blueprint/json-schema.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";

export function registerSchema(program: Command, context: CliContext): void {
  program
    .command("schema")
    .description("print the blueprint's JSON Schema (generated from the zod schema), for editors")
    .addHelpText(
      "after",
      "\nExample (VS Code with the YAML extension):\n  migration-architect schema > blueprint.schema.json\n  # then start a blueprint with: # yaml-language-server: $schema=./blueprint.schema.json",
    )
    .action(() => {
      context.out(JSON.stringify(blueprintJsonSchema(), null, 2));
      context.exit(EXIT.ok);
    });
}
