import type { TableFacts } from "./schema-facts.js";

/**
 * From this size on, a table counts as large: rewriting it (a volatile default, a type change)
 * holds ACCESS EXCLUSIVE for seconds or more on common hardware, and every query queues behind it.
 */
export const LARGE_TABLE_ROWS = 100_000;
export const LARGE_TABLE_BYTES = 100 * 1024 * 1024;

/** Whether the table may hold rows: true when it does, or when its size is unknown. */
export function mayHaveRows(table: TableFacts): boolean {
  return table.row_estimate === null ? table.size_bytes > 0 : table.row_estimate > 0;
}

export function isLarge(table: TableFacts): boolean {
  return (
    table.row_estimate === null ||
    table.row_estimate >= LARGE_TABLE_ROWS ||
    table.size_bytes >= LARGE_TABLE_BYTES
  );
}

/** `orders has ~1,200,000 rows (182 MB)`: how messages state a table's size. */
export function sizeFigures(table: TableFacts, display = tableLabel(table.schema, table.name)): string {
  const rows =
    table.row_estimate === null ? "an unknown number of rows" : `~${thousands(table.row_estimate)} rows`;
  return `${display} has ${rows} (${formatBytes(table.size_bytes)})`;
}

/** `users` in public, `audit.users` elsewhere. */
export function tableLabel(schema: string, name: string): string {
  return schema === "public" ? name : `${schema}.${name}`;
}

/** `1200000` → `1,200,000` (no locale: the same text everywhere). */
export function thousands(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Bytes in the units of pg_size_pretty (powers of 1024): `812 kB`, `182 MB`, `3.4 GB`. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "kB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = value >= 10 || unit === 0 ? String(Math.round(value)) : value.toFixed(1);
  return `${text} ${units[unit]}`;
}
