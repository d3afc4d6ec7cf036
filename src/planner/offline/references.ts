import type { PgColumn, PgDiscovery, PgTable } from "../../adapters/postgres/discover.js";
import { findColumn, findTable } from "./names.js";

/** A table named in the request, with the columns named with it (`t.c`, `t(c, d)`), in order. */
export interface TableMention {
  table: PgTable;
  columns: PgColumn[];
  /** Where in the text it was named. */
  at: number;
  /** Named explicitly (`t.c`, `t(c)`, `… table t`), not just a word that happens to fit. */
  explicit: boolean;
}

const WORD = /[a-z_][a-z0-9_$]*/g;
const NOT_TABLES = new Set([
  "varchar",
  "numeric",
  "decimal",
  "character",
  "count",
  "sum",
  "now",
  "lower",
  "upper",
]);

/**
 * The tables (and their columns) a request names, in the order it names them: dotted
 * (`users.email`), call-like (`payments(order_id)`, `orders (user_id, created_at)`), then
 * words that name a table ("the users table", "orders"). A dotted name whose first part is a
 * schema (`public.users`) names a table.
 */
export function tableMentions(text: string, discovery: PgDiscovery): TableMention[] {
  const out: TableMention[] = [];
  const taken: [number, number][] = [];
  const free = (at: number, end: number) => !taken.some(([a, b]) => at < b && end > a);
  const add = (m: TableMention, end: number) => {
    out.push(m);
    taken.push([m.at, end]);
  };
  for (const m of text.matchAll(/\b([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?\b/g)) {
    const [whole, a = "", b = "", c] = m;
    const at = m.index ?? 0;
    const schemaTable = c ? findTable(discovery, `${a}.${b}`) : undefined;
    if (schemaTable) {
      const column = c ? findColumn(schemaTable, c) : undefined;
      add({ table: schemaTable, columns: column ? [column] : [], at, explicit: true }, at + whole.length);
      continue;
    }
    const table = findTable(discovery, a);
    if (table) {
      const column = findColumn(table, b);
      add({ table, columns: column ? [column] : [], at, explicit: true }, at + whole.length);
      continue;
    }
    const qualified = findTable(discovery, `${a}.${b}`);
    if (qualified && discovery.schemas.includes(a))
      add({ table: qualified, columns: [], at, explicit: true }, at + whole.length);
  }
  for (const m of text.matchAll(
    /\b([a-z_][a-z0-9_.]*)\s*\(\s*([a-z_][a-z0-9_]*(?:\s*,\s*[a-z_][a-z0-9_]*)*)\s*\)/g,
  )) {
    const [whole, name = "", list = ""] = m;
    const at = m.index ?? 0;
    if (NOT_TABLES.has(name) || !free(at, at + whole.length)) continue;
    const table = findTable(discovery, name);
    if (!table) continue;
    const columns = list
      .split(",")
      .map((w) => findColumn(table, w.trim()))
      .filter((c): c is PgColumn => c !== undefined);
    add({ table, columns, at, explicit: true }, at + whole.length);
  }
  for (const m of text.matchAll(WORD)) {
    const word = m[0];
    const at = m.index ?? 0;
    if (!free(at, at + word.length) || word.length < 3) continue;
    const table = findTable(discovery, word);
    if (!table) continue;
    const before = text.slice(Math.max(0, at - 7), at);
    const after = text.slice(at + word.length, at + word.length + 7);
    const explicit = /\btable\s*$/.test(before) || /^\s*table\b/.test(after) || word === table.name;
    add({ table, columns: [], at, explicit }, at + word.length);
  }
  return out.sort((x, y) => x.at - y.at);
}

/**
 * The table the request is about: the first explicit mention with columns, else the first
 * explicit mention, else the first word that fits a table.
 */
export function mainTable(mentions: readonly TableMention[]): TableMention | undefined {
  return (
    mentions.find((m) => m.explicit && m.columns.length > 0) ??
    mentions.find((m) => m.explicit) ??
    mentions[0]
  );
}

/** Columns of this table named as plain words anywhere in the text, in order. */
export function columnWords(text: string, table: PgTable): { column: PgColumn; at: number }[] {
  const out: { column: PgColumn; at: number }[] = [];
  for (const m of text.matchAll(WORD)) {
    const column = table.columns.find((c) => c.name.toLowerCase() === m[0]);
    if (column && !out.some((o) => o.column === column)) out.push({ column, at: m.index ?? 0 });
  }
  return out;
}
