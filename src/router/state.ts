import { GenerationMismatchError, RouterStateError } from "./errors.js";
import type { MirrorSpec, RouterState, StateChange, Weights } from "./types.js";

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

const invalid = (message: string) => new RouterStateError(400, message);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Checks the upstreams a router is started with: names that fit in a header (`x-ma-upstream`),
 * http(s) base URLs without credentials (they would end up in logs). Returns them without a
 * trailing slash, so that paths join cleanly.
 */
export function checkUpstreams(upstreams: unknown): Record<string, string> {
  if (!isRecord(upstreams) || Object.keys(upstreams).length === 0)
    throw invalid("upstreams must name at least one upstream: { name: base URL }");
  const checked: Record<string, string> = {};
  for (const [name, base] of Object.entries(upstreams)) {
    if (!NAME.test(name))
      throw invalid(
        `upstream name '${name}' must be letters, digits, '.', '_' or '-' (at most 63, starting with a letter or digit)`,
      );
    let url: URL;
    try {
      url = new URL(String(base));
    } catch {
      throw invalid(`upstream ${name}: '${String(base)}' is not a URL (example: http://127.0.0.1:9001)`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw invalid(`upstream ${name}: the URL must be http:// or https://, not ${url.protocol}`);
    if (url.username || url.password) throw invalid(`upstream ${name}: the URL must not carry credentials`);
    if (url.search || url.hash)
      throw invalid(`upstream ${name}: the URL must be a base URL, without a query or a fragment`);
    checked[name] = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  }
  return checked;
}

/** Every upstream's weight (the ones left out get 0); at least one above 0. */
export function checkWeights(weights: unknown, upstreams: Record<string, string>): Weights {
  if (!isRecord(weights)) throw invalid("weights must be an object: { upstream name: integer ≥ 0 }");
  const names = Object.keys(upstreams);
  const checked: Weights = Object.fromEntries(names.map((n) => [n, 0]));
  for (const [name, weight] of Object.entries(weights)) {
    if (!(name in upstreams))
      throw invalid(`weights: '${name}' is not an upstream of this router (upstreams: ${names.join(", ")})`);
    if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 0)
      throw invalid(`weights: ${name} must be an integer ≥ 0, not ${JSON.stringify(weight)}`);
    if (weight > 1_000_000) throw invalid(`weights: ${name} must be at most 1000000, not ${weight}`);
    checked[name] = weight;
  }
  if (Object.values(checked).every((w) => w === 0))
    throw invalid("weights: at least one upstream needs a weight above 0, or no request could be served");
  return checked;
}

const MIRROR_KEYS = new Set(["to", "percent", "ignore_fields", "ignore_headers"]);

/** A mirror to an existing upstream, for 1..100 percent of the requests; null turns it off. */
export function checkMirror(mirror: unknown, upstreams: Record<string, string>): MirrorSpec | null {
  if (mirror === null) return null;
  if (!isRecord(mirror))
    throw invalid("mirror must be null or { to, percent, ignore_fields?, ignore_headers? }");
  for (const key of Object.keys(mirror))
    if (!MIRROR_KEYS.has(key))
      throw invalid(`mirror: unknown key '${key}' (allowed: ${[...MIRROR_KEYS].join(", ")})`);
  const { to, percent, ignore_fields, ignore_headers } = mirror;
  if (typeof to !== "string" || !(to in upstreams))
    throw invalid(
      `mirror.to: ${JSON.stringify(to)} is not an upstream of this router (upstreams: ${Object.keys(upstreams).join(", ")})`,
    );
  if (typeof percent !== "number" || !Number.isFinite(percent) || percent < 1 || percent > 100)
    throw invalid(`mirror.percent must be a number from 1 to 100, not ${JSON.stringify(percent)}`);
  const checked: MirrorSpec = { to, percent };
  if (ignore_fields !== undefined) {
    if (!Array.isArray(ignore_fields) || !ignore_fields.every((f) => typeof f === "string"))
      throw invalid("mirror.ignore_fields must be a list of top-level JSON keys");
    checked.ignore_fields = [...ignore_fields];
  }
  if (ignore_headers !== undefined) {
    if (ignore_headers !== true)
      throw invalid("mirror.ignore_headers can only be true (headers are never compared here)");
    checked.ignore_headers = true;
  }
  return checked;
}

const CHANGE_KEYS = new Set(["weights", "mirror", "expect_generation"]);

/** Reads a change sent to `PUT /state`: only known keys, each checked. */
export function checkChange(body: unknown, upstreams: Record<string, string>): StateChange {
  if (!isRecord(body))
    throw invalid("the body must be a JSON object: { weights?, mirror?, expect_generation? }");
  for (const key of Object.keys(body))
    if (!CHANGE_KEYS.has(key))
      throw invalid(`unknown key '${key}' (allowed: ${[...CHANGE_KEYS].join(", ")})`);
  const change: StateChange = {};
  if (body.weights !== undefined) change.weights = checkWeights(body.weights, upstreams);
  if (body.mirror !== undefined) change.mirror = checkMirror(body.mirror, upstreams);
  const expected = body.expect_generation;
  if (expected !== undefined) {
    if (typeof expected !== "number" || !Number.isInteger(expected) || expected < 0)
      throw invalid(`expect_generation must be an integer ≥ 0, not ${JSON.stringify(expected)}`);
    change.expect_generation = expected;
  }
  return change;
}

/**
 * The state after a change: the generation grows by one whenever weights or mirror are given
 * (even with the same values: a writer's intent is recorded). Throws RouterStateError.
 */
export function applyChange(state: RouterState, change: StateChange): RouterState {
  const checked = checkChange(change, state.upstreams);
  if (checked.expect_generation !== undefined && checked.expect_generation !== state.generation)
    throw new GenerationMismatchError(checked.expect_generation, state.generation);
  if (checked.weights === undefined && checked.mirror === undefined) return state;
  return {
    upstreams: state.upstreams,
    weights: checked.weights ?? state.weights,
    mirror: checked.mirror === undefined ? state.mirror : checked.mirror,
    generation: state.generation + 1,
  };
}

/** A copy the caller may keep or change without touching the router. */
export function copyState(state: RouterState): RouterState {
  return structuredClone(state);
}
