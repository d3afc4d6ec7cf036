import type { PlanBuilder } from "./plan-builder.js";
import { type RouteTarget, split } from "./route.js";

/**
 * The deployment patterns (DESIGN.md §4, issue 8): blue-green, canary, rolling and shadow, each a
 * template over a traffic route (`RouteTarget`). They write into a PlanBuilder, so a plan can put
 * them between database phases (expand, canary, contract) in one dependency graph. Every weight
 * change records the weights before it (`previous`), so its `{ inverse: true }` sets them back.
 */

export interface CanaryOptions {
  /** The first share of traffic (constraints.canary_percentage; 10 unless given). */
  first?: number;
  /** Measurements per analysis, and the length of each (3 × 5s unless given). */
  measurements?: number;
  interval?: string;
}

/** Checks before any traffic moves: the route answers, and the new version answers on its own. */
function deploymentPreChecks(b: PlanBuilder, route: RouteTarget): void {
  b.check({ id: "route-up", type: "connectivity", stage: "pre", component: route.component, timeout: "5s" });
  b.check({
    id: `${route.next}-up`,
    type: "connectivity",
    stage: "pre",
    component: route.component,
    description: `${route.next} answers on its own before it takes traffic`,
    params: { upstream: route.next },
    timeout: "5s",
  });
}

/** The route still answers once the new version serves. */
function routeAnswers(
  b: PlanBuilder,
  route: RouteTarget,
  stage: "intra" | "post",
  id = "route-answers",
): void {
  b.check({
    id,
    type: "connectivity",
    stage,
    component: route.component,
    description: `the route answers through the router (${stage === "post" ? "after" : "during"} the move)`,
    timeout: "5s",
  });
}

/**
 * Canary, in one phase so that a failed analysis at any weight sets every weight back: the
 * first share (10 %), an analysis against the current version, half, another analysis, then all.
 * A failed analysis rolls back automatically (level 0); an inconclusive one waits for a person.
 */
export function canary(b: PlanBuilder, route: RouteTarget, options: CanaryOptions = {}): void {
  const first = Math.min(99, Math.max(1, Math.round(options.first ?? 10)));
  const shares = [...new Set([first, Math.max(first, 50)])].filter((s) => s < 100);
  b.phase({
    id: "canary",
    name: `Canary ${route.next} on ${route.component}: ${shares.join("%, ")}%, then all`,
    pattern: "canary",
    description: `Each share is analysed against ${route.current} (error rate and p99 over the same windows) before the next`,
  });
  deploymentPreChecks(b, route);
  let previous = route.weights;
  for (const share of shares) {
    const weights = split(route, share);
    b.step({
      id: `canary-${share}`,
      name: `Send ${share}% of traffic to ${route.next}`,
      component: route.component,
      action: "traffic.set_weights",
      params: { weights, previous },
      estimated_duration: "1s",
    });
    b.step({
      id: `analyse-${share}`,
      name: `Compare ${route.next} with ${route.current} at ${share}%`,
      component: route.component,
      action: "traffic.analyze",
      params: {
        baseline: route.current,
        canary: route.next,
        measurements: options.measurements ?? 3,
        interval: options.interval ?? "5s",
      },
      estimated_duration: "15s",
    });
    previous = weights;
  }
  b.step({
    id: "promote",
    name: `Send all traffic to ${route.next}`,
    component: route.component,
    action: "traffic.set_weights",
    params: { weights: split(route, 100), previous },
    estimated_duration: "1s",
  });
  routeAnswers(b, route, "post");
}

/**
 * Blue-green: the new version is checked on its own while the current one serves, then the
 * route switches in one atomic change; the current version stays up, ready to switch back to.
 */
export function blueGreen(b: PlanBuilder, route: RouteTarget): void {
  b.phase({
    id: "switch",
    name: `Switch ${route.component} from ${route.current} to ${route.next}`,
    pattern: "blue-green",
    description: `${route.current} stays up: the switch back is one change of the router`,
  });
  deploymentPreChecks(b, route);
  b.step({
    id: `switch-to-${route.next}`,
    name: `Switch all traffic to ${route.next}, atomically`,
    component: route.component,
    action: "traffic.switch",
    params: { to: route.next, from: route.current },
    estimated_duration: "1s",
  });
  routeAnswers(b, route, "post");
}

/**
 * Rolling: the new version takes a quarter more of the traffic per phase, each checked through
 * the router before the next; a failing check sets that quarter back and the run stops at the
 * last good share (resume retries; rollback returns to the start).
 */
export function rolling(b: PlanBuilder, route: RouteTarget): void {
  let previous = route.weights;
  for (const share of [25, 50, 75, 100]) {
    b.phase({
      id: `rolling-${share}`,
      name: `${route.next} takes ${share}% of ${route.component}`,
      pattern: "rolling",
    });
    if (share === 25) deploymentPreChecks(b, route);
    const weights = split(route, share);
    b.step({
      id: `shift-${share}`,
      name: `Send ${share}% of traffic to ${route.next}`,
      component: route.component,
      action: "traffic.set_weights",
      params: { weights, previous },
      estimated_duration: "1s",
    });
    routeAnswers(b, route, "intra", `route-answers-${share}`);
    previous = weights;
  }
}

/**
 * Shadow: the new version gets a copy of the route's requests (its answers are compared with the
 * current version's, never returned to clients); too many differences fail the step. Traffic
 * stays where it is. `version` is left out of the comparison: it differs by design.
 */
export function shadow(b: PlanBuilder, route: RouteTarget, options: { duration?: string } = {}): void {
  b.phase({
    id: "shadow",
    name: `Shadow ${route.component}'s traffic to ${route.next}`,
    pattern: "shadow",
    description: `${route.current} keeps serving; ${route.next} answers copies, which are compared`,
  });
  deploymentPreChecks(b, route);
  b.step({
    id: `shadow-${route.next}`,
    name: `Copy requests to ${route.next} and compare the answers`,
    component: route.component,
    action: "traffic.mirror",
    params: {
      to: route.next,
      percent: 100,
      duration: options.duration ?? "10s",
      ignore_fields: ["version"],
      max_mismatch_rate: 0.01,
    },
    estimated_duration: options.duration ?? "10s",
  });
}

/** A Deployment's container and the image to roll out to it, from Kubernetes discovery. */
export interface ImageTarget {
  /** The kubernetes component's id. */
  component: string;
  namespace: string;
  deployment: string;
  container: string;
  image: string;
  previous_image: string;
  replicas: number;
}

/**
 * Rolling, on Kubernetes: the Deployment controller replaces pods a few at a time
 * (`kubernetes.set_image`, which waits for the rollout), checked by rollout status and readiness;
 * its undo sets the previous image back, another rolling update.
 */
export function kubernetesRolling(b: PlanBuilder, target: ImageTarget): void {
  b.phase({
    id: "rolling",
    name: `Roll ${target.deployment} out to ${target.image}`,
    pattern: "rolling",
    description: `The Deployment controller replaces ${target.replicas} pods a few at a time`,
  });
  b.check({
    id: "cluster-up",
    type: "connectivity",
    stage: "pre",
    component: target.component,
    timeout: "10s",
  });
  b.check({
    id: `${target.deployment}-ready-before`,
    type: "functional",
    stage: "pre",
    component: target.component,
    description: `${target.deployment} is fully rolled out and ready before it changes`,
    params: { deployment: target.deployment, check: "rollout" },
  });
  b.step({
    id: `set-image-${target.deployment}`,
    name: `Set ${target.deployment}/${target.container} to ${target.image}`,
    component: target.component,
    action: "kubernetes.set_image",
    params: {
      namespace: target.namespace,
      deployment: target.deployment,
      container: target.container,
      image: target.image,
      previous_image: target.previous_image,
    },
    estimated_duration: "2m",
  });
  b.check({
    id: `${target.deployment}-ready-after`,
    type: "functional",
    stage: "post",
    component: target.component,
    description: `every replica of ${target.deployment} is ready on the new image`,
    params: { deployment: target.deployment, check: "ready" },
  });
}
