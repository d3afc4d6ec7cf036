import type { PgColumn, PgTable } from "../../adapters/postgres/discover.js";
import type { NewColumn } from "../../patterns/columns.js";

/** What the offline planner understood a request to ask for. */
export type Intent =
  | { kind: "add_column"; table: PgTable; column: NewColumn }
  | { kind: "drop_column"; table: PgTable; column: PgColumn }
  | { kind: "drop_table"; table: PgTable }
  | { kind: "rename_column"; table: PgTable; column: PgColumn; to: string }
  | { kind: "rename_table"; table: PgTable; to: string }
  | { kind: "change_type"; table: PgTable; column: PgColumn; type: string }
  | { kind: "set_not_null"; table: PgTable; column: PgColumn; fill?: string }
  | { kind: "create_index"; table: PgTable; columns: PgColumn[]; unique: boolean }
  | { kind: "add_unique"; table: PgTable; columns: PgColumn[] }
  | {
      kind: "add_foreign_key";
      table: PgTable;
      columns: PgColumn[];
      references: { table: PgTable; columns: string[] };
      on_delete?: string;
    }
  | { kind: "add_check"; table: PgTable; expression: string }
  | { kind: "move_column"; table: PgTable; column: PgColumn; to: string };

/** Not a plan: the request is unsafe as asked, or not understood (with what was missing). */
export interface NotUnderstood {
  kind: "unsafe" | "unsupported" | "unknown";
  reason: string;
}

/** The requests the offline planner understands, as it lists them when it does not understand one. */
export const UNDERSTOOD = [
  'add a column: "add a nullable text column nickname to users", "add a required boolean column email_verified to users, default false"',
  'drop a column or a table: "remove payments.card_last4", "drop the table audit_log"',
  'rename a column or a table: "rename users.email to email_address", "rename table payments to charges"',
  'change a column type: "make orders.total_cents a bigint"',
  'add NOT NULL: "make users.phone required", "users.phone must not be null, fill missing ones with \'unknown\'"',
  'add an index: "index payments(order_id)", "unique index on users(lower_email)", "composite index on orders(user_id, created_at)"',
  'add a foreign key or a check constraint: "reviews.product_id references products", "add a check on orders that total_cents >= 0"',
  'make columns unique: "make users.phone unique"',
  'move a column to a new table: "move users.phone to a new table user_phones"',
  'deploy a new version behind a traffic router: "canary web v2 starting at 5%", "switch web to v2 blue-green", "roll out v2 gradually", "shadow web\'s traffic to v2"',
  'roll a new image out to a Kubernetes deployment: "roll out registry.example.com/shop/web:2.4.0 to web"',
] as const;
