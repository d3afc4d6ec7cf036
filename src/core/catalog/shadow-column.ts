import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";

/**
 * The names the PostgreSQL expand/contract actions give the objects they add, in the core so that
 * the lint knows them too (a postgres.backfill step that fills `<column>_ma_new` after an
 * alter_column_type expand names a column that step creates). Pure: no I/O.
 */

/** PostgreSQL keeps the first NAMEDATALEN - 1 = 63 bytes of an identifier and drops the rest. */
const MAX_NAME_BYTES = 63;

const byteLength = (text: string) => utf8ToBytes(text).length;

/**
 * `<prefix><parts joined by _><suffix>`, or, past 63 bytes, `<prefix><sha256 of the parts, hex,
 * cut to fit><suffix>`: a long name is never truncated by the server into another object's name.
 *
 * @example boundedName("ma_sync_", ["orders", "total_cents"]) // "ma_sync_orders_total_cents"
 */
export function boundedName(prefix: string, parts: readonly string[], suffix = ""): string {
  const plain = `${prefix}${parts.join("_")}${suffix}`;
  if (byteLength(plain) <= MAX_NAME_BYTES) return plain;
  const hash = bytesToHex(sha256(utf8ToBytes(parts.join("\u0000"))));
  return `${prefix}${hash.slice(0, MAX_NAME_BYTES - byteLength(prefix) - byteLength(suffix))}${suffix}`;
}

/**
 * The shadow column postgres.alter_column_type's expand adds beside `column`, of the new type:
 * `<column>_ma_new`. Its contract renames it to `column`.
 *
 * @example shadowColumnName("total_cents") // "total_cents_ma_new"
 */
export const shadowColumnName = (column: string): string => boundedName("", [column], "_ma_new");
