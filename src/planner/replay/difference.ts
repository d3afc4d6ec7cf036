import { isDeepStrictEqual } from "node:util";

/** One place where two values differ, and what each side holds there, shown briefly. */
export interface Difference {
  /** A path such as `components[app-db].tables[users].size_bytes`; empty at the top. */
  path: string;
  recorded: string;
  now: string;
}

/** How much of a value a difference shows. */
const SHOWN = 80;

/**
 * The first `limit` places where `now` differs from `recorded`, in order; none when they are
 * equal. (The first alone can be a mere consequence, such as a schema's fingerprint, of the one
 * that tells.) Arrays whose items all carry a unique `name` (or `id`) are matched by it, so that
 * an added table reads as `tables[extra]`, not as every later table shifted by one. A string
 * holding JSON (a tool result) is compared as that JSON; a text of several lines, line by line.
 *
 * @example differences({ a: [1, 2] }, { a: [1, 3] }) // [{ path: "a[1]", recorded: "2", now: "3" }]
 */
export function differences(recorded: unknown, now: unknown, limit = 3, path = ""): Difference[] {
  const found: Difference[] = [];
  collect(recorded, now, path, found, limit);
  return found;
}

/**
 * Where `now` differs from `recorded`, in words (`at <path>: recorded <value>, now <value>`, the
 * first `limit` places, `; and more` when there are more), or undefined when they are equal.
 *
 * @example describeDifference({ rows: 3 }, { rows: 4 }) // "at rows: recorded 3, now 4"
 */
export function describeDifference(recorded: unknown, now: unknown, limit = 3): string | undefined {
  const found = differences(recorded, now, limit + 1);
  if (found.length === 0) return undefined;
  const said = found
    .slice(0, limit)
    .map((d) => `${d.path ? `at ${d.path}: ` : ""}recorded ${d.recorded}, now ${d.now}`);
  return `${said.join("; ")}${found.length > limit ? "; and more" : ""}`;
}

function collect(recorded: unknown, now: unknown, path: string, found: Difference[], limit: number): void {
  if (found.length >= limit || isDeepStrictEqual(recorded, now)) return;
  const add = (at: string, r: unknown, n: unknown) => {
    if (found.length < limit) found.push({ path: at, recorded: show(r), now: show(n) });
  };
  if (typeof recorded === "string" && typeof now === "string") {
    collectText(recorded, now, path, found, limit);
    return;
  }
  if (Array.isArray(recorded) && Array.isArray(now)) {
    collectArray(recorded, now, path, found, limit);
    return;
  }
  if (isPlainObject(recorded) && isPlainObject(now)) {
    for (const key of new Set([...Object.keys(now), ...Object.keys(recorded)])) {
      const at = path ? `${path}.${key}` : key;
      if (!(key in recorded)) add(at, undefined, now[key]);
      else if (!(key in now)) add(at, recorded[key], undefined);
      else collect(recorded[key], now[key], at, found, limit);
    }
    return;
  }
  add(path, recorded, now);
}

function collectArray(
  recorded: unknown[],
  now: unknown[],
  path: string,
  found: Difference[],
  limit: number,
): void {
  const recordedKeys = itemKeys(recorded);
  const nowKeys = itemKeys(now);
  if (recordedKeys && nowKeys) {
    const byKey = new Map(recordedKeys.map((key, i) => [key, recorded[i]]));
    for (const [i, key] of nowKeys.entries()) {
      if (byKey.has(key)) collect(byKey.get(key), now[i], `${path}[${key}]`, found, limit);
      else if (found.length < limit)
        found.push({ path: `${path}[${key}]`, recorded: "(none)", now: show(now[i]) });
    }
    for (const [i, key] of recordedKeys.entries()) {
      if (!nowKeys.includes(key) && found.length < limit) {
        found.push({ path: `${path}[${key}]`, recorded: show(recorded[i]), now: "(none)" });
      }
    }
    const common = (keys: string[], other: string[]) => keys.filter((k) => other.includes(k));
    const [r, n] = [common(recordedKeys, nowKeys), common(nowKeys, recordedKeys)];
    if (!isDeepStrictEqual(r, n) && found.length < limit) {
      found.push({ path: `${path} (order)`, recorded: show(r), now: show(n) });
    }
    return;
  }
  for (let i = 0; i < Math.max(recorded.length, now.length); i++) {
    collect(recorded[i], now[i], `${path}[${i}]`, found, limit);
  }
}

/** Each item's `name` (else `id`), when every item has one and they are unique. */
function itemKeys(items: unknown[]): string[] | undefined {
  if (items.length === 0) return undefined;
  const keys: string[] = [];
  for (const item of items) {
    if (!isPlainObject(item)) return undefined;
    const key = typeof item.name === "string" ? item.name : typeof item.id === "string" ? item.id : undefined;
    if (key === undefined) return undefined;
    keys.push(key);
  }
  return new Set(keys).size === keys.length ? keys : undefined;
}

function collectText(recorded: string, now: string, path: string, found: Difference[], limit: number): void {
  const [r, n] = [parseJson(recorded), parseJson(now)];
  if (r !== undefined && n !== undefined) {
    collect(r, n, path, found, limit);
    return;
  }
  const recordedLines = recorded.split("\n");
  const nowLines = now.split("\n");
  if (recordedLines.length === 1 && nowLines.length === 1) {
    found.push({ path, recorded: excerpt(recorded, now), now: excerpt(now, recorded) });
    return;
  }
  for (let i = 0; i < Math.max(recordedLines.length, nowLines.length) && found.length < limit; i++) {
    const [rl, nl] = [recordedLines[i], nowLines[i]];
    if (rl === nl) continue;
    found.push({
      path: `${path}${path ? " " : ""}line ${i + 1}`,
      recorded: rl === undefined ? "(none)" : excerpt(rl, nl ?? ""),
      now: nl === undefined ? "(none)" : excerpt(nl, rl ?? ""),
    });
  }
}

/** `text` around the first character where it differs from `other`, quoted. */
function excerpt(text: string, other: string): string {
  if (text.length <= SHOWN) return JSON.stringify(text);
  let at = 0;
  while (at < text.length && text[at] === other[at]) at++;
  const start = Math.max(0, at - 20);
  const end = Math.min(text.length, start + SHOWN);
  return `${start > 0 ? "…" : ""}${JSON.stringify(text.slice(start, end))}${end < text.length ? "…" : ""}`;
}

function show(value: unknown): string {
  const text = value === undefined ? "(none)" : JSON.stringify(value);
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text;
}

function parseJson(text: string): unknown {
  const start = text.trimStart()[0];
  if (start !== "{" && start !== "[") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
