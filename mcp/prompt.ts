import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ToolServices } from "../tools/tool.js";

/**
 * The prompt `plan_zero_downtime_migration`: how an assistant should go from the person's request
 * to a run, with the person in charge of every risky step.
 */
export function registerPrompt(server: McpServer, services: ToolServices): void {
  server.registerPrompt(
    "plan_zero_downtime_migration",
    {
      title: "Plan a zero-downtime migration",
      description:
        "From a request in plain words to a validated blueprint, shown to the person before anything runs",
      argsSchema: {
        request: z.string().describe("What to change, in plain words: 'rename users.email to email_address'"),
        target: z
          .string()
          .optional()
          .describe(
            `The component to change (${services.system.components.map((c) => c.id).join(", ") || "none configured"})`,
          ),
      },
    },
    ({ request, target }) => {
      const components = services.system.components.map((c) => `${c.id} (${c.kind})`);
      const on = target ? `on the component '${target}'` : "on this system";
      const text = [
        `Plan this migration ${on}, with zero downtime: ${request}`,
        "",
        `The system has ${components.length ? components.join(", ") : "no components configured"}.`,
        "1. Call discover_system" +
          (target ? ` with component '${target}'` : "") +
          " to see the tables, their sizes, and what depends on them (find_dependents for a table or column).",
        "2. Call plan_migration with the request. If it refuses, tell me why and what it understands; do not work around a refusal.",
        "3. Call explain_blueprint with the blueprint, and show me: the phases and steps, each step's risk, the steps that need my approval, how each step is rolled back, and the critical path.",
        "4. Stop there and ask me whether to run it. Run it only if I say so: run_migration with the blueprint_hash plan_migration returned.",
        "5. Approvals are mine. If the run waits for an approval, ask me for the step's approval code; never invent one.",
        "6. When the run ends, show me get_report's summary: status, durations, health-check figures, and any rollback.",
      ].join("\n");
      return {
        description: `Plan: ${request}`,
        messages: [{ role: "user" as const, content: { type: "text" as const, text } }],
      };
    },
  );
}
