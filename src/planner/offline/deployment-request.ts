import type { TrafficDiscovery } from "../../adapters/traffic/discover.js";
import type { PatternName } from "../../core/blueprint/schema.js";

/** A deployment the request asks for: which pattern, on which route, to which version. */
export interface DeploymentIntent {
  kind: "deployment";
  pattern: Exclude<PatternName, "expand-contract">;
  /** The traffic component. */
  route: string;
  /** Upstream names or versions the request names, in the order it names them. */
  versions: string[];
  /** "10%" said in the request: the canary's first share. */
  first?: number;
  /** Whether the pattern was said, or chosen as the default (canary). */
  said: boolean;
}

const PATTERNS: ReadonlyArray<[RegExp, DeploymentIntent["pattern"]]> = [
  [/\bcanar(?:y|ies)\b/, "canary"],
  [
    /\bblue[\s-]?green\b|\bswitch(?:es|ing)?\b.*\b(?:over|traffic|to)\b|\bcut\s*over\b|\bflip\b/,
    "blue-green",
  ],
  [/\brolling\b|\bgradual(?:ly)?\b|\bprogressive(?:ly)?\b|\bstep\s+by\s+step\b|\bquarter\b/, "rolling"],
  [
    /\bshadow(?:ing)?\b|\bmirror(?:ing)?\b|\bdark\s+launch\b|\bcopy\s+(?:of\s+)?(?:the\s+)?(?:live\s+)?traffic\b/,
    "shadow",
  ],
];

const DEPLOY_WORDS =
  /\b(?:deploy|release|roll\s*out|rollout|ship|promote|upgrade|canary|blue[\s-]?green|shadow|mirror|switch|cut\s*over)\b/;

/**
 * Reads a deployment request against the traffic routes discovery found: the pattern (said, or
 * canary by default: the one that judges the new version on a share of real traffic before all
 * of it), the route (named, or the only one), the version (an upstream's name or the version it
 * answers), and a first share ("10%"). Undefined when the request is not about a deployment.
 */
export function parseDeployment(
  request: string,
  routes: ReadonlyArray<{ id: string; discovery: TrafficDiscovery }>,
): DeploymentIntent | { kind: "unknown"; reason: string } | undefined {
  const text = request.toLowerCase();
  if (!DEPLOY_WORDS.test(text) || routes.length === 0) return undefined;
  const named = routes.filter((r) =>
    new RegExp(`(?:^|[^a-z0-9_-])${escapeRegExp(r.id.toLowerCase())}(?![a-z0-9_-])`).test(text),
  );
  const route = named.length === 1 ? named[0] : routes.length === 1 ? routes[0] : undefined;
  if (!route) {
    return {
      kind: "unknown",
      reason: `say which route to deploy on: the system has ${routes.map((r) => r.id).join(", ")}`,
    };
  }
  const said = PATTERNS.find(([pattern]) => pattern.test(text))?.[1];
  const versions = route.discovery.upstreams.flatMap((u) => [u.name, ...(u.version ? [u.version] : [])]);
  const mentioned = [...new Set(versions)]
    .map((v) => ({
      v,
      at: text.search(new RegExp(`(?:^|[^a-z0-9_.-])${escapeRegExp(v.toLowerCase())}(?![a-z0-9_-]|\\.\\d)`)),
    }))
    .filter((m) => m.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((m) => m.v);
  // A version named that no upstream runs ("deploy v3" when v1 and v2 run) is refused, not
  // replaced by whichever other version there is.
  const known = new Set(versions.map((v) => v.toLowerCase()));
  const strange = [
    ...text.matchAll(
      /(?:^|[^a-z0-9_.-])(v\d+(?:\.\d+)*|\d+\.\d+(?:\.\d+)?)(?![a-z0-9_.-])(?!\s*(?:%|percent\b|(?:ms|s|sec|seconds?|m|min|minutes?|h|hours?|d|days?)\b))/g,
    ),
  ]
    .map((m) => m[1] ?? "")
    .filter((v) => v && !known.has(v));
  if (strange.length) {
    return {
      kind: "unknown",
      reason: `route '${route.id}' runs no version ${strange.map((v) => `'${v}'`).join(" or ")} (its upstreams: ${route.discovery.upstreams.map((u) => `${u.name}${u.version ? ` (${u.version})` : ""}`).join(", ")}); start that version behind the router first`,
    };
  }
  const percent = /(?<![\d.])(\d{1,2})\s*(?:%|percent\b)/.exec(text)?.[1];
  return {
    kind: "deployment",
    pattern: said ?? "canary",
    route: route.id,
    versions: mentioned,
    ...(percent ? { first: Number(percent) } : {}),
    said: said !== undefined,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
