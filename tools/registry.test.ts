import { describe, expect, it } from "vitest";
import { z } from "zod";
import { allTools, discoveryTools, plannerTools, toolByName, toolJsonSchema } from "./registry.js";

describe("tool registry", () => {
  it("names every tool once, in snake_case", () => {
    const names = allTools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
  });

  it("gives the planner the discovery tools plus validation and explanation", () => {
    expect(discoveryTools.map((t) => t.name)).toEqual([
      "list_components",
      "discover_system",
      "describe_table",
      "table_stats",
      "find_dependents",
    ]);
    expect(plannerTools.map((t) => t.name)).toEqual([
      ...discoveryTools.map((t) => t.name),
      "deployment_template",
      "validate_blueprint",
      "explain_blueprint",
    ]);
    expect(allTools.map((t) => t.name)).toEqual(expect.arrayContaining(plannerTools.map((t) => t.name)));
  });

  it("finds a tool by name", () => {
    expect(toolByName("find_dependents")?.title).toBe("Find what depends on a table or column");
    expect(toolByName("no_such_tool")).toBeUndefined();
  });

  it.each(allTools.map((t) => [t.name, t] as const))("%s states all four hints explicitly", (_name, tool) => {
    const hints = tool.annotations as unknown as Record<string, unknown>;
    for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]) {
      expect(typeof hints[hint], hint).toBe("boolean");
    }
  });

  it.each(plannerTools.map((t) => [t.name, t] as const))(
    "%s (a planner tool) is read-only and closed",
    (_name, tool) => {
      expect(tool.annotations).toEqual({
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      });
    },
  );

  it.each(allTools.map((t) => [t.name, t] as const))(
    "%s has an object input schema and words for a model",
    (_name, tool) => {
      const schema = toolJsonSchema(tool);
      expect(schema.type).toBe("object");
      expect(schema.additionalProperties).toBe(false);
      expect(tool.title.trim()).not.toBe("");
      expect(tool.description.length).toBeGreaterThan(80);
      // Every input field explains itself to the model that fills it in.
      const properties = (schema.properties ?? {}) as Record<string, { description?: string }>;
      for (const [field, property] of Object.entries(properties)) {
        expect(property.description, `${tool.name}.${field}`).toBeTruthy();
      }
      // The output schema converts too: the MCP server publishes it.
      expect(z.toJSONSchema(tool.output, { target: "draft-2020-12" }).type).toBe("object");
    },
  );
});
