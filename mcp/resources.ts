import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { saveBlueprintYaml } from "../src/core/blueprint/save.js";
import { reportMarkdown } from "../src/monitor/report.js";
import { normalizeHash } from "../src/services/blueprint-shelf.js";
import { shownBlueprint } from "../tools/blueprint-check.js";
import { outcomeOf } from "../tools/run-flow.js";
import { need, type ToolServices } from "../tools/tool.js";

/** `blueprint://<hex>` names a blueprint by its content hash (the hex of `sha256:…`). */
const hexOf = (hash: string) => hash.replace(/^sha256:/, "");

/**
 * Resources: `blueprint://{id}` (YAML; the blueprints shown valid here and those that ran),
 * `run://{id}` (a run's status, JSON) and `report://{id}` (a run's report, Markdown), each with
 * its list.
 */
export function registerResources(server: McpServer, services: ToolServices): void {
  const runs = () => need(services.runs, "the run resources", "the run service");

  server.registerResource(
    "blueprint",
    new ResourceTemplate("blueprint://{id}", {
      list: async () => {
        const seen = new Set<string>();
        const resources = [];
        for (const b of services.shelf?.list() ?? []) {
          seen.add(b.hash);
          resources.push({
            uri: `blueprint://${hexOf(b.hash)}`,
            name: `${b.blueprint.id}: ${b.blueprint.name}`,
            description: `shown valid by ${b.shown_by} at ${b.shown_at}`,
            mimeType: "application/yaml",
          });
        }
        for (const b of services.runs ? await runs().storedBlueprints() : []) {
          if (seen.has(b.hash)) continue;
          resources.push({
            uri: `blueprint://${hexOf(b.hash)}`,
            name: `${b.blueprint.id}: ${b.blueprint.name}`,
            description: `ran here (stored ${b.created_at})`,
            mimeType: "application/yaml",
          });
        }
        return { resources };
      },
    }),
    {
      title: "Blueprints",
      description: "Blueprints shown valid by this server, and those that ran, by content hash (YAML)",
      mimeType: "application/yaml",
    },
    async (uri, { id }) => {
      const hash = normalizeHash(String(id));
      const blueprint = await shownBlueprint(hash, services);
      if (!blueprint) throw new Error(`no blueprint ${hash} here (resources/list lists them)`);
      return {
        contents: [{ uri: uri.href, mimeType: "application/yaml", text: saveBlueprintYaml(blueprint) }],
      };
    },
  );

  server.registerResource(
    "run",
    new ResourceTemplate("run://{id}", {
      list: async () => ({
        resources: (await runs().list()).map((r) => ({
          uri: `run://${r.id}`,
          name: `${r.id} (${r.blueprint_id})`,
          description: `${r.status}, updated ${r.updated_at}`,
          mimeType: "application/json",
        })),
      }),
    }),
    {
      title: "Runs",
      description: "A run's status, steps and what it waits for (JSON)",
      mimeType: "application/json",
    },
    async (uri, { id }) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: "application/json",
          text: JSON.stringify(outcomeOf(await runs().view(String(id))), null, 2),
        },
      ],
    }),
  );

  server.registerResource(
    "report",
    new ResourceTemplate("report://{id}", {
      list: async () => ({
        resources: (await runs().list()).map((r) => ({
          uri: `report://${r.id}`,
          name: `report of ${r.id} (${r.blueprint_id})`,
          description: r.status,
          mimeType: "text/markdown",
        })),
      }),
    }),
    {
      title: "Run reports",
      description: "A run's report: timeline, steps, health-check figures, approvals, rollbacks (Markdown)",
      mimeType: "text/markdown",
    },
    async (uri, { id }) => ({
      contents: [
        { uri: uri.href, mimeType: "text/markdown", text: reportMarkdown(await runs().report(String(id))) },
      ],
    }),
  );
}
