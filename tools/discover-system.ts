import { z } from "zod";
import { redactSecrets } from "../src/adapters/redact.js";
import { componentField, pickComponent } from "./component-input.js";
import { PostgresSummary, summarizePostgres } from "./discovery-summary.js";
import { isPgDiscovery } from "./postgres-discovery.js";
import { defineTool } from "./tool.js";

const ComponentDiscovery = z.object({
  id: z.string(),
  kind: z.string(),
  postgres: PostgresSummary.nullable().describe("For a PostgreSQL component: its schema in brief"),
  details: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe("For another kind of component: what its adapter reports"),
});

/** Discovers one component or all of them and returns what a planner needs to know, compactly. */
export const discoverSystem = defineTool({
  name: "discover_system",
  title: "Discover the system",
  description:
    "Reads the current state of one component, or of every component when none is named (read-only). " +
    "For PostgreSQL it returns the server version, the schema fingerprint, and every table with its " +
    "estimated rows, size, partitioning, columns (type, nullable) and primary key, with counts of " +
    "indexes, constraints and triggers; the views with the tables and columns they read; enums and " +
    "domains. Call it first when planning. For one table's indexes, constraints and triggers call " +
    "describe_table; for what depends on a table or column call find_dependents. Components that " +
    "could not be read are listed under failures.",
  input: z.strictObject({ component: componentField }),
  output: z.object({
    components: z.array(ComponentDiscovery),
    failures: z
      .array(z.object({ component: z.string(), message: z.string() }))
      .describe("Components that could not be discovered, and why"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, { system }) {
    let found: Map<string, unknown>;
    let failures: { component: string; message: string }[];
    if (input.component === undefined) {
      ({ discovery: found, failures } = await system.discoverAll());
    } else {
      const component = pickComponent(system, input.component);
      found = new Map();
      failures = [];
      try {
        found.set(component.id, await system.discover(component.id));
      } catch (error) {
        failures.push({
          component: component.id,
          message: (error as Error).message,
        });
      }
    }
    const components = [...found].map(([id, discovery]) => ({
      id,
      kind: system.component(id).kind,
      postgres: isPgDiscovery(discovery) ? summarizePostgres(discovery) : null,
      details: isPgDiscovery(discovery) ? null : detailsOf(discovery),
    }));
    return { components, failures };
  },
});

function detailsOf(discovery: unknown): Record<string, unknown> {
  const value = redactSecrets(discovery);
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : { value };
}
