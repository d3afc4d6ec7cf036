import { sameWord, typoDistance, VERBS } from "./vocabulary.js";

/** Type names the rules read literally; never a name someone gives a new column or table. */
const TYPE_WORDS = [
  "boolean",
  "integer",
  "bigint",
  "smallint",
  "varchar",
  "numeric",
  "timestamp",
  "timestamptz",
];

/**
 * The words the rules look for, by meaning: every verb's forms, and the nouns and type names the
 * patterns of parse-request.ts match literally ("column", "table", "default", "boolean").
 */
const KEYWORDS: ReadonlyMap<string, string> = new Map<string, string>([
  ...Object.entries(VERBS).flatMap(([verb, forms]) => forms.map((f): [string, string] => [f, verb])),
  ["column", "column"],
  ["columns", "column"],
  ["table", "table"],
  ["tables", "table"],
  ["default", "default"],
  ["defaults", "default"],
  ...TYPE_WORDS.map((t): [string, string] => [t, "type"]),
]);

/**
 * English words one slip away from a keyword that people write on purpose: "after" is not
 * "alter", "stable" not "table". Read as typos, they would change what a request asks.
 */
const NOT_TYPOS = new Set([
  "after",
  "later",
  "altar",
  "stable",
  "cable",
  "tablet",
  "chance",
  "crate",
  "insure",
  "wider",
  "acquired",
  "optimal",
  "polling",
  "spit",
  "spilt",
  "defaulted",
]);

/** Words after which the next word is a name being given ("rename … to checks"), or a type. */
const NAMING = /\b(?:column|called|named|to|as|into|table)\s+$/;

/**
 * Puts right the keywords a request misspells ("renmae" → rename, "colunm" → column, "idnex" →
 * index), so that the rules, which read keywords literally, see what the person meant. Left as
 * written: quoted text, dotted or underscored names, the names of the database's own tables and
 * columns (`identifiers`), a word that is a name being given, and a word that is as close to two
 * keywords of different meaning (better to say it was not understood than to guess).
 */
export function correctSpelling(text: string, identifiers: ReadonlySet<string>): string {
  return text.replace(/'[^']*'|"[^"]*"|[a-z0-9_.$-]+/g, (token, at: number) => {
    if (!/^[a-z]+(?:-[a-z]+)*$/.test(token) || KEYWORDS.has(token)) return token;
    // "checks", "renamed", "created": a keyword as English inflects it, not a typo of it.
    if (NOT_TYPOS.has(token) || identifiers.has(token) || inflects(token)) return token;
    const fix = closestKeyword(token);
    // In a name's place, only a type is put right ("to bigitn"): nobody names a column "bigint".
    if (!fix || (NAMING.test(text.slice(0, at)) && KEYWORDS.get(fix) !== "type")) return token;
    return fix;
  });
}

function inflects(word: string): boolean {
  return ["s", "es", "d", "ed", "ing"].some(
    (end) => word.endsWith(end) && KEYWORDS.has(word.slice(0, -end.length)),
  );
}

function closestKeyword(word: string): string | undefined {
  let best: { keyword: string; meaning: string; cost: number }[] = [];
  for (const [keyword, meaning] of KEYWORDS) {
    if (!sameWord(word, keyword)) continue;
    const cost = typoDistance(word, keyword);
    if (!best.length || cost < (best[0]?.cost ?? 0)) best = [{ keyword, meaning, cost }];
    else if (cost === best[0]?.cost) best.push({ keyword, meaning, cost });
  }
  const meanings = new Set(best.map((b) => b.meaning));
  return meanings.size === 1 ? best[0]?.keyword : undefined;
}
