import { distance } from "fastest-levenshtein";

/**
 * The words the offline planner listens for, each with the forms and near-misses people type
 * ("renmae", "idnex"): a word of five letters or more matches at edit distance 1, of eight or
 * more at distance 2, and two swapped neighbours count as one typo ("dorp", "moev"). Shorter
 * words must match exactly ("add" is not "and").
 */
export const VERBS = {
  rename: ["rename", "renaming", "renamed"],
  add: ["add", "adding", "create", "introduce", "need", "want", "new"],
  drop: ["drop", "remove", "delete", "retire", "deleting", "removing", "dropping", "rid"],
  change: ["change", "alter", "convert", "widen", "make", "turn", "switch", "migrate", "upgrade"],
  move: ["move", "extract", "split", "moving"],
  index: ["index", "indexed", "indexes", "indices", "idx"],
  unique: ["unique", "uniqueness", "distinct"],
  foreign: ["foreign", "references", "reference", "referencing", "fk", "link"],
  check: ["check", "constraint", "ensure", "enforce", "validate"],
  required: ["required", "mandatory", "non-null", "nonnull", "non-nullable", "notnull"],
  optional: ["optional", "nullable"],
  truncate: ["truncate", "truncating", "wipe", "purge"],
  deploy: ["blue-green", "bluegreen", "canary", "rolling", "shadow", "deploy", "deployment", "rollout"],
} as const;

export type Verb = keyof typeof VERBS;

/** Whether a word is this vocabulary word, allowing for a typo in longer words. */
export function sameWord(word: string, target: string): boolean {
  if (word === target) return true;
  if (word.length < 4 || target.length < 4) return false;
  // Two swapped neighbours are one slip of the keyboard, in words of any length from four.
  if (swapsOnce(word, target)) return true;
  if (target.length < 5) return false;
  const allowed = target.length >= 8 ? 2 : 1;
  return Math.abs(word.length - target.length) <= allowed && distance(word, target) <= allowed;
}

/** Edit distance, counting two swapped neighbours ("renmae", "idnex") as one edit. */
export function typoDistance(a: string, b: string): number {
  return swapsOnce(a, b) ? 1 : distance(a, b);
}

/** Whether swapping two neighbouring letters of `a` gives `b`. */
function swapsOnce(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const at = [...a].findIndex((ch, i) => ch !== b[i]);
  return (
    at >= 0 &&
    at + 1 < a.length &&
    a[at] === b[at + 1] &&
    a[at + 1] === b[at] &&
    a.slice(at + 2) === b.slice(at + 2)
  );
}

/** The verbs present in these words (spelled right: spelling.ts corrects them first). */
export function verbsIn(words: readonly string[]): Set<Verb> {
  const found = new Set<Verb>();
  for (const [verb, forms] of Object.entries(VERBS) as [Verb, readonly string[]][]) {
    if (words.some((w) => (forms as readonly string[]).includes(w))) found.add(verb);
  }
  return found;
}

/** PostgreSQL types by the words people use for them. */
const TYPES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/\b(?:bigint|int8|big ?integer|64[- ]bit(?: integer)?)\b/, () => "bigint"],
  [/\b(?:smallint|int2|small ?integer)\b/, () => "smallint"],
  [/\b(?:integer|int4|int|32[- ]bit(?: integer)?)\b/, () => "integer"],
  [/\b(?:boolean|bool|flag)\b/, () => "boolean"],
  [/\bvarchar\s*\(\s*(\d+)\s*\)|character varying\s*\(\s*(\d+)\s*\)/, (m) => `varchar(${m[1] ?? m[2]})`],
  [
    /\b(?:numeric|decimal)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/,
    (m) => `numeric(${m[1]}${m[2] ? `,${m[2]}` : ""})`,
  ],
  [/\b(?:numeric|decimal)\b/, () => "numeric"],
  [/\b(?:timestamptz|timestamp with time ?zone)\b/, () => "timestamptz"],
  [/\btimestamp\b/, () => "timestamp"],
  [/\bdate\b/, () => "date"],
  [/\buuid\b/, () => "uuid"],
  [/\bjsonb\b/, () => "jsonb"],
  [/\bjson\b/, () => "json"],
  [/\b(?:double precision|float8|double)\b/, () => "double precision"],
  [/\b(?:real|float4|float)\b/, () => "real"],
  [/\b(?:text|string)\b/, () => "text"],
];

/** Every type named in the text, with where it starts, in order. */
export function typesIn(text: string): { type: string; at: number }[] {
  const found: { type: string; at: number; end: number }[] = [];
  for (const [pattern, make] of TYPES) {
    for (const m of text.matchAll(new RegExp(pattern.source, "g"))) {
      const at = m.index ?? 0;
      const end = at + m[0].length;
      // The patterns go longest first: "big integer" is not also "integer".
      if (found.some((f) => at < f.end && end > f.at)) continue;
      found.push({ type: make(m), at, end });
    }
  }
  return found.sort((a, b) => a.at - b.at).map(({ type, at }) => ({ type, at }));
}
