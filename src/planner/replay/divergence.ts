import { isDeepStrictEqual } from "node:util";
import { redactConnection } from "../../adapters/connection-string.js";
import { describeDifference } from "./difference.js";

/**
 * Values that change from one run to the next by nature, as `[recorded, now]` pairs: the time
 * in the first message, and each component's connection reference (a fresh temporary database
 * per eval run). They are put in the recorded requests before comparing, so that only what the
 * model was told differently counts as a divergence.
 */
export type Substitutions = ReadonlyArray<readonly [string, string]>;

const COMPONENT_LINE = /^- (\S+) \(kind [^,)]+(?:, connection (.+))?\)$/;
const NOW_LINE = /^Now: (\S+)$/;

/**
 * The substitutions a replay makes, read from the recorded first user message and the one the
 * agent sends now (see `requestMessage`): the `Now:` line, and the connection of each component
 * id both name (as written, and with its password hidden, as list_components shows it).
 */
export function volatileValues(recordedFirst: unknown, sentFirst: unknown): Substitutions {
  const recorded = facts(recordedFirst);
  const sent = facts(sentFirst);
  const pairs = new Map<string, string>();
  const add = (from: string | undefined, to: string | undefined) => {
    if (from && to && from !== to) pairs.set(from, to);
  };
  add(recorded.now, sent.now);
  for (const [id, connection] of recorded.connections) {
    const now = sent.connections.get(id);
    add(connection, now);
    if (connection && now) add(redactConnection(connection), redactConnection(now));
  }
  // Longest first: a connection that contains another is replaced whole.
  return [...pairs].sort((a, b) => b[0].length - a[0].length);
}

/** `value` with every string's recorded volatile values replaced by today's. */
export function substitute(value: unknown, substitutions: Substitutions): unknown {
  if (substitutions.length === 0) return value;
  if (typeof value === "string") {
    return substitutions.reduce((text, [from, to]) => text.split(from).join(to), value);
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, substitutions));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, substitutions)]));
  }
  return value;
}

/**
 * How the request the agent sends for `turn` (from 1) differs from the recorded one, one line per
 * difference, each brief and precise: which message or field, where in it, and both values.
 * Only the messages from index `from` on are compared (the earlier ones were compared on earlier
 * turns); the other fields (system prompt, tools, model, max_tokens), on turn 1 only.
 */
export function turnDivergences(
  turn: number,
  recorded: unknown,
  sent: unknown,
  from: number,
  substitutions: Substitutions,
): string[] {
  const r = asRecord(substitute(recorded, substitutions));
  const s = asRecord(sent);
  const found: string[] = [];
  if (turn === 1) {
    const keys = [...new Set([...Object.keys(r), ...Object.keys(s)])].filter((k) => k !== "messages");
    for (const key of keys) {
      const d = describeDifference(r[key], s[key]);
      if (d) found.push(`turn 1: the request's ${key} differs from the recording ${d}`);
    }
  }
  const rm = Array.isArray(r.messages) ? r.messages : [];
  const sm = Array.isArray(s.messages) ? s.messages : [];
  if (rm.length !== sm.length) {
    found.push(`turn ${turn}: the agent sent ${sm.length} message(s); the recording has ${rm.length}`);
  }
  for (let k = from; k < Math.max(rm.length, sm.length); k++) {
    if (isDeepStrictEqual(rm[k], sm[k])) continue;
    found.push(`turn ${turn}: ${messageDifference(rm[k], sm[k], k, sm)}`);
  }
  return found;
}

/** One message's difference: which block (a tool result names its tool), and where in it. */
function messageDifference(recorded: unknown, sent: unknown, index: number, sentMessages: unknown[]): string {
  if (recorded === undefined) return `message ${index + 1} is not in the recording`;
  if (sent === undefined) return `the recording's message ${index + 1} was not sent`;
  const r = asRecord(recorded);
  const s = asRecord(sent);
  const what = index === 0 ? "the first user message" : `message ${index + 1} (${String(s.role)})`;
  if (Array.isArray(r.content) && Array.isArray(s.content)) {
    for (let j = 0; j < Math.max(r.content.length, s.content.length); j++) {
      const rb = asRecord(r.content[j]);
      const sb = asRecord(s.content[j]);
      if (isDeepStrictEqual(rb, sb)) continue;
      const label = blockLabel(sb.type ? sb : rb, sentMessages) ?? `block ${j + 1} of ${what}`;
      const d = describeDifference(rb.content, sb.content) ?? describeDifference(rb, sb);
      return `${label} differs from the recording ${d}`;
    }
  }
  const d = describeDifference(r.content, s.content) ?? describeDifference(r, s);
  return `${what} differs from the recording ${d}`;
}

/** `the discover_system result (toolu_…)` for a tool result: its tool's name, from the call. */
function blockLabel(block: Record<string, unknown>, messages: unknown[]): string | undefined {
  if (block.type !== "tool_result") return undefined;
  const id = String(block.tool_use_id);
  for (const message of messages) {
    const content = asRecord(message).content;
    if (!Array.isArray(content)) continue;
    const call = content.map(asRecord).find((b) => b.type === "tool_use" && b.id === id);
    if (call) return `the ${String(call.name)} result (${id})`;
  }
  return `the tool result ${id}`;
}

/** The component connections and the time named in a first user message. */
function facts(message: unknown): { now?: string; connections: Map<string, string | undefined> } {
  const text = typeof message === "string" ? message : String(asRecord(message).content ?? "");
  const connections = new Map<string, string | undefined>();
  let now: string | undefined;
  for (const line of text.split("\n")) {
    const component = COMPONENT_LINE.exec(line);
    if (component?.[1]) connections.set(component[1], component[2]);
    now ??= NOW_LINE.exec(line)?.[1];
  }
  return { now, connections };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
