import type { TrafficDiscovery } from "../../adapters/traffic/discover.js";
import type { Component, Constraints } from "../../core/blueprint/schema.js";
import { blueGreen, canary, rolling, shadow } from "../../patterns/deployments.js";
import { PlanBuilder } from "../../patterns/plan-builder.js";
import { type RouteTarget, routeTarget } from "../../patterns/route.js";
import type { DeploymentIntent } from "./deployment-request.js";

const TITLES = {
  canary: "Canary",
  "blue-green": "Blue-green switch",
  rolling: "Rolling shift",
  shadow: "Shadow",
} as const;

/**
 * The route target of a deployment intent: the version named that is not the one serving now
 * (a request may name both: "from v1 to v2"), else the only other upstream.
 */
export function targetOf(intent: DeploymentIntent, discovery: TrafficDiscovery): RouteTarget {
  const serving = [...discovery.upstreams].sort((a, b) => b.weight - a.weight)[0];
  const wanted = intent.versions.filter((v) => v !== serving?.name && v !== serving?.version);
  return routeTarget(intent.route, discovery, wanted.at(-1) ?? intent.versions.at(-1));
}

/** A deployment blueprint from a template of src/patterns, for the offline planner. */
export function deploymentPlan(
  intent: DeploymentIntent,
  route: RouteTarget,
  header: {
    request: string;
    now: Date;
    component: Component;
    constraints?: Constraints;
    metadata: Record<string, unknown>;
  },
): { builder: PlanBuilder; notes: string[] } {
  const notes: string[] = [];
  const builder = new PlanBuilder({
    id: `bp-${header.now.toISOString().slice(0, 10).replace(/-/g, "")}-${intent.pattern}-${route.component}-${route.next}`.slice(
      0,
      200,
    ),
    name: `${TITLES[intent.pattern]}: ${route.component} from ${route.current} to ${route.next}`,
    request: header.request,
    created_at: header.now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    component: header.component,
    ...(header.constraints ? { constraints: header.constraints } : {}),
    metadata: header.metadata,
    source_description: `${route.component} serves ${route.current} (weights ${Object.entries(route.weights)
      .map(([n, w]) => `${n} ${w}`)
      .join(", ")})`,
    target_description:
      intent.pattern === "shadow"
        ? `${route.current} still serves; ${route.next} was compared on a copy of the traffic`
        : `${route.component} serves ${route.next}`,
  });
  if (!intent.said)
    notes.push(
      "no pattern was named: a canary, which judges the new version on a share of real traffic first",
    );
  if (intent.pattern === "canary") {
    const first = intent.first ?? header.constraints?.canary_percentage;
    canary(builder, route, first === undefined ? {} : { first });
  } else if (intent.pattern === "blue-green") blueGreen(builder, route);
  else if (intent.pattern === "rolling") rolling(builder, route);
  else shadow(builder, route);
  return { builder, notes };
}
