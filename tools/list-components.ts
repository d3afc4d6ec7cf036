import { z } from "zod";
import { redactConnection } from "../src/adapters/connection-string.js";
import { defineTool } from "./tool.js";

const ComponentSummary = z.object({
  id: z.string().describe("The id steps and health checks name in a blueprint (`component:`)"),
  kind: z.string().describe("The adapter kind: postgres, shell, …"),
  connection: z
    .string()
    .nullable()
    .describe(
      "The connection reference as written (env:NAME, pglite:PATH, or a URL with its password hidden)",
    ),
  description: z.string().nullable(),
});

/** The session's components, as a blueprint's source_state would list them; nothing is contacted. */
export const listComponents = defineTool({
  name: "list_components",
  title: "List components",
  description:
    "Lists the components of the system being planned for: each one's id, kind (postgres, shell, …) and " +
    "connection reference. Use the ids and connection references exactly as given in the blueprint's " +
    "source_state and target_state, and as `component` in the other tools. Contacts nothing; call " +
    "discover_system to see what a component holds.",
  input: z.strictObject({}).describe("No input: pass {}"),
  output: z.object({ components: z.array(ComponentSummary) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(_input, { system }) {
    return {
      components: system.components.map((c) => ({
        id: c.id,
        kind: c.kind,
        // A reference (env:NAME, pglite:…) carries no secret; a URL may, and is redacted.
        connection: c.connection === undefined ? null : redactConnection(c.connection),
        description: c.description ?? null,
      })),
    };
  },
});
