import type { TrafficDiscovery } from "../adapters/traffic/discover.js";
import type { Weights } from "../adapters/traffic/route.js";
import { PlanRefusal } from "./refusal.js";

/** A route a deployment pattern moves: what serves now, and the version to move to. */
export interface RouteTarget {
  /** The traffic component's id. */
  component: string;
  discovery: TrafficDiscovery;
  /** The upstream serving now (the heaviest weight). */
  current: string;
  /** The upstream to move to. */
  next: string;
  /** The weights now, every upstream named. */
  weights: Weights;
}

/**
 * Chooses the versions a deployment moves between, from discovery: the upstream serving most of
 * the traffic now, and the one asked for (by upstream name or by the version it answers). Refuses
 * clearly when the new version is not there, is the one already serving, or does not answer.
 */
export function routeTarget(component: string, discovery: TrafficDiscovery, wanted?: string): RouteTarget {
  const weights = Object.fromEntries(discovery.upstreams.map((u) => [u.name, u.weight]));
  const serving = [...discovery.upstreams].sort((a, b) => b.weight - a.weight)[0];
  if (!serving || serving.weight === 0)
    throw new PlanRefusal(`route '${component}' sends traffic nowhere: set its weights first`);
  const names = discovery.upstreams.map((u) => `${u.name}${u.version ? ` (${u.version})` : ""}`).join(", ");
  const candidates = discovery.upstreams.filter((u) => u.name !== serving.name);
  const chosen = wanted
    ? discovery.upstreams.find((u) => u.name === wanted || u.version === wanted)
    : candidates.length === 1
      ? candidates[0]
      : undefined;
  if (!chosen) {
    throw new PlanRefusal(
      wanted
        ? `route '${component}' has no upstream or version '${wanted}' (it has ${names})`
        : `route '${component}' has ${candidates.length} other upstreams (${names}): say which version to roll out`,
    );
  }
  if (chosen.name === serving.name && serving.weight === Object.values(weights).reduce((s, w) => s + w, 0))
    throw new PlanRefusal(
      `${chosen.name} already takes all of route '${component}''s traffic: nothing to roll out`,
    );
  if (!chosen.reachable)
    throw new PlanRefusal(
      `${chosen.name} (${chosen.url}) does not answer (${chosen.error ?? "unreachable"}): start it before moving traffic to it`,
    );
  return { component, discovery, current: serving.name, next: chosen.name, weights };
}

/** Weights sending `share` percent to `next` and the rest to `current`; other upstreams 0. */
export function split(route: RouteTarget, share: number): Weights {
  const out = Object.fromEntries(Object.keys(route.weights).map((n) => [n, 0]));
  out[route.next] = share;
  out[route.current] = 100 - share;
  return out;
}
