import type { PgColumn, PgDiscovery, PgTable } from "../../adapters/postgres/discover.js";
import { sameWord } from "./vocabulary.js";

/** Singular and plural forms of a word, so "the user table" finds users and "orders" finds order. */
function forms(word: string): string[] {
  const out = [word];
  if (word.endsWith("ies")) out.push(`${word.slice(0, -3)}y`);
  else if (word.endsWith("s")) out.push(word.slice(0, -1));
  else out.push(`${word}s`, word.endsWith("y") ? `${word.slice(0, -1)}ies` : `${word}es`);
  return out;
}

/**
 * The table a word names: exactly, by its singular or plural, or with a typo (five letters or
 * more). `schema.table` and a table of another schema work too. Undefined when nothing fits, or
 * when a typo fits two tables equally (better to ask than to guess).
 */
export function findTable(discovery: PgDiscovery, word: string): PgTable | undefined {
  const text = word.toLowerCase();
  const dot = text.indexOf(".");
  const schema = dot > 0 ? text.slice(0, dot) : undefined;
  const name = dot > 0 ? text.slice(dot + 1) : text;
  const tables = discovery.tables.filter(
    (t) => !t.partition_of && (schema === undefined || t.schema.toLowerCase() === schema),
  );
  const byName = (n: string) =>
    tables
      .filter((t) => t.name.toLowerCase() === n)
      .sort((a, b) => (a.schema === "public" ? -1 : b.schema === "public" ? 1 : 0))[0];
  for (const form of forms(name)) {
    const found = byName(form);
    if (found) return found;
  }
  const near = tables.filter((t) => sameWord(name, t.name.toLowerCase()));
  return near.length === 1 ? near[0] : undefined;
}

/** The column a word names in this table: exactly, or with a typo when only one column fits. */
export function findColumn(table: PgTable, word: string): PgColumn | undefined {
  const text = word.toLowerCase();
  const exact = table.columns.find((c) => c.name.toLowerCase() === text);
  if (exact) return exact;
  const near = table.columns.filter((c) => sameWord(text, c.name.toLowerCase()));
  return near.length === 1 ? near[0] : undefined;
}
