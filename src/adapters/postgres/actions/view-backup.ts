import { createHash } from "node:crypto";
import { z } from "zod";
import type { Queryable } from "../client.js";
import { qualify } from "../identifiers.js";
import { relationExists } from "../introspect.js";
import { BOOKKEEPING_PREFIX } from "../user-objects.js";
import type { ViewState } from "./view-state.js";

/**
 * Where drop_view and replace_view keep what a view was, so that restore_view can put it back:
 * the bookkeeping table `ma_backup_views` of the view's schema (left out of snapshots), one row
 * per view and slot. The slot says which step kept it:
 *
 * - `dropped`: a drop_view step of the user's;
 * - `created_<hash>`: the drop_view that undoes the create_view of that SQL, kept apart so that
 *   undoing "drop v, then create a new v" puts back the first v and not the second;
 * - `replaced_<hash>`: a replace_view with that SQL, so that undoing two replaces of one view,
 *   in reverse order, puts back each previous definition in turn.
 *
 * A slot already taken (a view dropped, created again and dropped again) is kept aside as
 * `<slot>@<time>`, never overwritten.
 */
export const VIEW_BACKUP_TABLE = `${BOOKKEEPING_PREFIX}views`;

export interface KeptView {
  state: ViewState;
  /** For `replaced_…`: the definition the view was given, to recognize a re-run. */
  after: string | null;
}

/** `created_<hash>` / `replaced_<hash>`: which create_view or replace_view step a kept view belongs to. */
export const KeptAs = z
  .string()
  .regex(/^(created|replaced)_[0-9a-f]{16}$/, { error: "expected created_<16 hex> or replaced_<16 hex>" })
  .optional()
  .meta({
    description:
      "Set by the inverse of create_view or replace_view: which step's kept view this is. Leave it out otherwise.",
  });

/** The first 16 hex digits of the sha256 of a view's SQL, as the inverse of its step names it. */
export const sqlHash = (sql: string) => createHash("sha256").update(sql.trim()).digest("hex").slice(0, 16);

export const slotOf = (keptAs: string | undefined) => keptAs ?? "dropped";

export async function readKept(
  q: Queryable,
  schema: string,
  view: string,
  slot: string,
): Promise<KeptView | undefined> {
  if (!(await relationExists(q, schema, VIEW_BACKUP_TABLE))) return undefined;
  const { rows } = await q.query<{ kept: string }>(
    `SELECT kept::text AS kept FROM ${qualify(schema, VIEW_BACKUP_TABLE)} WHERE view_name = $1 AND slot = $2`,
    [view, slot],
  );
  const text = rows[0]?.kept;
  return text ? (JSON.parse(text) as KeptView) : undefined;
}

/** Keeps a view's state in its slot; an older one already there is set aside. Returns a note, if any. */
export async function keepView(
  q: Queryable,
  schema: string,
  view: string,
  slot: string,
  kept: KeptView,
): Promise<string | undefined> {
  const table = qualify(schema, VIEW_BACKUP_TABLE);
  await q.query(
    `CREATE TABLE IF NOT EXISTS ${table} (
       view_name text NOT NULL, slot text NOT NULL, kept jsonb NOT NULL,
       taken_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (view_name, slot))`,
  );
  const aside = `${slot}@${Date.now().toString(36)}`;
  const moved = await q.query(`UPDATE ${table} SET slot = $3 WHERE view_name = $1 AND slot = $2`, [
    view,
    slot,
    aside,
  ]);
  await q.query(`INSERT INTO ${table} (view_name, slot, kept) VALUES ($1, $2, $3::jsonb)`, [
    view,
    slot,
    JSON.stringify(kept),
  ]);
  return moved.rowCount > 0
    ? `an older kept definition of ${view} (${slot}) was set aside as ${aside}`
    : undefined;
}

export async function forgetKept(q: Queryable, schema: string, view: string, slot: string): Promise<void> {
  await q.query(`DELETE FROM ${qualify(schema, VIEW_BACKUP_TABLE)} WHERE view_name = $1 AND slot = $2`, [
    view,
    slot,
  ]);
}
