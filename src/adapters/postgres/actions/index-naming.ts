import { createHash } from "node:crypto";

const MAX_NAME_BYTES = 63;

/**
 * A stable name from a table, its columns and a suffix, as PostgreSQL names its own
 * (`orders_status_created_at_idx`, `users_email_key`, `orders_user_id_fkey`). When that passes 63
 * bytes, where PostgreSQL would cut it silently, the readable part is shortened and a hash of the
 * whole keeps it unique: the same inputs always give the same name.
 *
 * @example derivedName("orders", ["status", "created_at"], "idx") // "orders_status_created_at_idx"
 */
export function derivedName(table: string, columns: readonly string[], suffix: string): string {
  const stem = [table, ...columns].join("_");
  const plain = `${stem}_${suffix}`;
  if (Buffer.byteLength(plain) <= MAX_NAME_BYTES) return plain;
  const hash = createHash("sha256")
    .update([table, ...columns, suffix].join("\u0000"))
    .digest("hex")
    .slice(0, 8);
  // Identifiers are ASCII (see identifiers.ts): a character is a byte.
  const room = MAX_NAME_BYTES - hash.length - suffix.length - 2;
  return `${stem.slice(0, room)}_${hash}_${suffix}`;
}

/** The helper CHECK constraint set_not_null adds, validates, then drops. */
export const notNullCheckName = (table: string, column: string) =>
  derivedName(table, [column], "ma_not_null");
