import { z } from "zod";
import type { TrafficDiscovery } from "../src/adapters/traffic/discover.js";
import { blueGreen, canary, rolling, shadow } from "../src/patterns/deployments.js";
import { PlanBuilder } from "../src/patterns/plan-builder.js";
import { PlanRefusal } from "../src/patterns/refusal.js";
import { routeTarget } from "../src/patterns/route.js";
import { pickComponent } from "./component-input.js";
import { defineTool, ToolInputError } from "./tool.js";

const TEMPLATES = { canary, "blue-green": blueGreen, rolling, shadow } as const;

/**
 * The deployment patterns of src/patterns, offered to model planners: the phases and edges of a
 * blue-green, canary, rolling or shadow deployment on a traffic route, filled from discovery
 * (the weights now, the versions), ready to be put in a draft — between database phases if the
 * migration needs both. The same templates the offline planner uses.
 */
export const deploymentTemplate = defineTool({
  name: "deployment_template",
  title: "Draft a deployment pattern",
  description:
    "Returns the phases (steps, health checks) and dependency edges of a zero-downtime deployment on a " +
    "traffic component (a router in front of a service's versions), filled from its discovered weights " +
    "and versions: canary (set weight, traffic.analyze against the current version, next weight; a " +
    "failed analysis sets the weights back), blue-green (check the new version alone, then one atomic " +
    "traffic.switch), rolling (a quarter per phase, checked through the router) or shadow " +
    "(traffic.mirror: copy requests to the new version and compare the answers). Put the phases in your " +
    "blueprint as they are; add edges from your database expand steps to the first step, and from the " +
    "last step to your contract steps. Read-only.",
  input: z.strictObject({
    component: z.string().optional().describe("The traffic component (see list_components)"),
    pattern: z
      .enum(["canary", "blue-green", "rolling", "shadow"])
      .describe("The deployment pattern: canary, blue-green, rolling or shadow"),
    version: z
      .string()
      .optional()
      .describe("The upstream name or version to move to; the only other upstream when omitted"),
    first_percent: z.number().int().min(1).max(99).optional().describe("Canary: the first share (10)"),
  }),
  output: z.object({
    phases: z.array(z.record(z.string(), z.unknown())),
    edges: z.array(z.object({ from: z.string(), to: z.string() })),
    current: z.string().describe("The upstream serving now"),
    next: z.string().describe("The upstream the deployment moves to"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async handler(input, { system }) {
    const component = pickComponent(system, input.component);
    if (component.kind !== "traffic")
      throw new ToolInputError(
        `component '${component.id}' is of kind ${component.kind}; deployment patterns move traffic on a traffic component`,
      );
    const discovery = (await system.discover(component.id)) as TrafficDiscovery;
    try {
      const route = routeTarget(component.id, discovery, input.version);
      const builder = new PlanBuilder({
        id: "template",
        name: "template",
        request: "",
        created_at: new Date().toISOString(),
        component,
      });
      if (input.pattern === "canary")
        canary(builder, route, input.first_percent === undefined ? {} : { first: input.first_percent });
      else TEMPLATES[input.pattern](builder, route);
      const built = builder.build();
      return {
        phases: built.phases as unknown as Record<string, unknown>[],
        edges: built.dependency_graph?.edges.map(({ from, to }) => ({ from, to })) ?? [],
        current: route.current,
        next: route.next,
      };
    } catch (error) {
      if (error instanceof PlanRefusal) throw new ToolInputError(error.message);
      throw error;
    }
  },
});
