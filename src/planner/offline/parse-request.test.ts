import { PGlite } from "@electric-sql/pglite";
import { beforeAll, describe, expect, it } from "vitest";
import { APP_SCHEMA, SMALL_SEED } from "../../adapters/postgres/backends.contract.js";
import { pgConnection } from "../../adapters/postgres/connection.js";
import { discoverPostgres, type PgDiscovery } from "../../adapters/postgres/discover.js";
import { pgliteClient } from "../../adapters/postgres/pglite-client.js";
import type { Intent, NotUnderstood } from "./intent.js";
import { parseRequest } from "./parse-request.js";

/** What a parse says, flattened to what a person would check: the operation and its arguments. */
interface Reading {
  kind: string;
  table?: string;
  columns?: string[];
  type?: string;
  to?: string;
  nullable?: boolean;
  default?: string;
  fill?: string;
  unique?: boolean;
  references?: string;
  on_delete?: string;
  expression?: string;
}

function reading(parsed: Intent | NotUnderstood): Reading {
  if (!("table" in parsed)) return { kind: parsed.kind };
  const out: Reading = { kind: parsed.kind, table: parsed.table.name };
  switch (parsed.kind) {
    case "add_column":
      return {
        ...out,
        columns: [parsed.column.name],
        type: parsed.column.type,
        nullable: parsed.column.nullable,
        ...(parsed.column.default !== undefined ? { default: parsed.column.default } : {}),
      };
    case "drop_column":
      return { ...out, columns: [parsed.column.name] };
    case "rename_column":
    case "move_column":
      return { ...out, columns: [parsed.column.name], to: parsed.to };
    case "rename_table":
      return { ...out, to: parsed.to };
    case "change_type":
      return { ...out, columns: [parsed.column.name], type: parsed.type };
    case "set_not_null":
      return { ...out, columns: [parsed.column.name], ...(parsed.fill ? { fill: parsed.fill } : {}) };
    case "create_index":
      return { ...out, columns: parsed.columns.map((c) => c.name), unique: parsed.unique };
    case "add_unique":
      return { ...out, columns: parsed.columns.map((c) => c.name) };
    case "add_foreign_key":
      return {
        ...out,
        columns: parsed.columns.map((c) => c.name),
        references: `${parsed.references.table.name}(${parsed.references.columns.join(", ")})`,
        ...(parsed.on_delete ? { on_delete: parsed.on_delete } : {}),
      };
    case "add_check":
      return { ...out, expression: parsed.expression };
    case "drop_table":
      return out;
  }
}

/** Each intent asked three ways at least: terse, chatty, and with typos. */
const CASES: { request: string; expected: Reading }[] = [
  // add a column: nullable
  {
    request: "add a nullable text column nickname to users",
    expected: { kind: "add_column", table: "users", columns: ["nickname"], type: "text", nullable: true },
  },
  {
    request: "Hey, could you add a column nickname (text) to the users table? It can be empty.",
    expected: { kind: "add_column", table: "users", columns: ["nickname"], type: "text", nullable: true },
  },
  {
    request: "add a text colunm nickname to the usres table",
    expected: { kind: "add_column", table: "users", columns: ["nickname"], type: "text", nullable: true },
  },
  {
    request: "add a nickname (text, nullable) to users",
    expected: { kind: "add_column", table: "users", columns: ["nickname"], type: "text", nullable: true },
  },
  {
    request: "I need a boolean flag is_admin on users, default false",
    expected: {
      kind: "add_column",
      table: "users",
      columns: ["is_admin"],
      type: "boolean",
      nullable: true,
      default: "false",
    },
  },
  // add a column: required, constant default
  {
    request: "add a required boolean column email_verified to users, default false",
    expected: {
      kind: "add_column",
      table: "users",
      columns: ["email_verified"],
      type: "boolean",
      nullable: false,
      default: "false",
    },
  },
  {
    request:
      "Please add an email_verified boolean column to users that is not null and defaults to false for everyone.",
    expected: {
      kind: "add_column",
      table: "users",
      columns: ["email_verified"],
      type: "boolean",
      nullable: false,
      default: "false",
    },
  },
  {
    request: "add a requried boolean colunm email_verified to users default false",
    expected: {
      kind: "add_column",
      table: "users",
      columns: ["email_verified"],
      type: "boolean",
      nullable: false,
      default: "false",
    },
  },
  // add a column: required, volatile default
  {
    request: "add column updated_at timestamptz not null default now() to orders",
    expected: {
      kind: "add_column",
      table: "orders",
      columns: ["updated_at"],
      type: "timestamptz",
      nullable: false,
      default: "now()",
    },
  },
  {
    request: "Our orders need a new required timestamptz column updated_at, defaulting to now() please",
    expected: {
      kind: "add_column",
      table: "orders",
      columns: ["updated_at"],
      type: "timestamptz",
      nullable: false,
      default: "now()",
    },
  },
  {
    request: "add a mandatroy timestamptz colum updated_at to ordrs with defualt now()",
    expected: {
      kind: "add_column",
      table: "orders",
      columns: ["updated_at"],
      type: "timestamptz",
      nullable: false,
      default: "now()",
    },
  },
  {
    request: "add a required uuid column public_id to users, default gen_random_uuid()",
    expected: {
      kind: "add_column",
      table: "users",
      columns: ["public_id"],
      type: "uuid",
      nullable: false,
      default: "gen_random_uuid()",
    },
  },
  // drop a column
  {
    request: "drop payments.card_last4",
    expected: { kind: "drop_column", table: "payments", columns: ["card_last4"] },
  },
  {
    request: "Could you please remove the card_last4 column from payments? We don't store it anymore.",
    expected: { kind: "drop_column", table: "payments", columns: ["card_last4"] },
  },
  {
    request: "dorp the card_last4 colum from paymnets",
    expected: { kind: "drop_column", table: "payments", columns: ["card_last4"] },
  },
  {
    request: "delete the card_last4 field from payments",
    expected: { kind: "drop_column", table: "payments", columns: ["card_last4"] },
  },
  {
    request: "get rid of payments.card_last4",
    expected: { kind: "drop_column", table: "payments", columns: ["card_last4"] },
  },
  {
    request: "we no longer need the card_last4 column in payments",
    expected: { kind: "drop_column", table: "payments", columns: ["card_last4"] },
  },
  // drop a table (products is referenced by order_items: planning refuses, parsing does not)
  { request: "drop the table products", expected: { kind: "drop_table", table: "products" } },
  {
    request: "We don't need the products table anymore, could you get rid of it? Please drop it.",
    expected: { kind: "drop_table", table: "products" },
  },
  { request: "delete tabel prodcts", expected: { kind: "drop_table", table: "products" } },
  // rename a column
  {
    request: "rename users.email to email_address",
    expected: { kind: "rename_column", table: "users", columns: ["email"], to: "email_address" },
  },
  {
    request: "Hi! I'd like to rename the email column on users to email_address, without downtime please.",
    expected: { kind: "rename_column", table: "users", columns: ["email"], to: "email_address" },
  },
  {
    request: "renmae users.emial to email_address",
    expected: { kind: "rename_column", table: "users", columns: ["email"], to: "email_address" },
  },
  {
    request: "users.email should be called email_address",
    expected: { kind: "rename_column", table: "users", columns: ["email"], to: "email_address" },
  },
  // rename a table
  {
    request: "rename table payments to charges",
    expected: { kind: "rename_table", table: "payments", to: "charges" },
  },
  {
    request: "Could you rename the payments table to charges? The new billing code calls them that.",
    expected: { kind: "rename_table", table: "payments", to: "charges" },
  },
  {
    request: "renmae the tabel payments to charges",
    expected: { kind: "rename_table", table: "payments", to: "charges" },
  },
  // change a column's type
  {
    request: "make orders.total_cents a bigint",
    expected: { kind: "change_type", table: "orders", columns: ["total_cents"], type: "bigint" },
  },
  {
    request: "change the type of users.phone to varchar(32)",
    expected: { kind: "change_type", table: "users", columns: ["phone"], type: "varchar(32)" },
  },
  {
    request: "Our totals overflow: please change orders.total_cents from integer to bigint.",
    expected: { kind: "change_type", table: "orders", columns: ["total_cents"], type: "bigint" },
  },
  {
    request: "chnage the tyep of orders.total_cents to bigint",
    expected: { kind: "change_type", table: "orders", columns: ["total_cents"], type: "bigint" },
  },
  {
    request: "convert orders.total_cents to a bigitn",
    expected: { kind: "change_type", table: "orders", columns: ["total_cents"], type: "bigint" },
  },
  {
    request: "total_cents in orders needs to be a bigint",
    expected: { kind: "change_type", table: "orders", columns: ["total_cents"], type: "bigint" },
  },
  // NOT NULL, without and with a fill value
  {
    request: "make users.phone required",
    expected: { kind: "set_not_null", table: "users", columns: ["phone"] },
  },
  {
    request: "Could you make sure the phone column of users can never be empty? It must not be null.",
    expected: { kind: "set_not_null", table: "users", columns: ["phone"] },
  },
  {
    request: "make users.phone requried",
    expected: { kind: "set_not_null", table: "users", columns: ["phone"] },
  },
  {
    request: "don't allow nulls in users.phone",
    expected: { kind: "set_not_null", table: "users", columns: ["phone"] },
  },
  {
    request: "users.phone must not be null, fill missing ones with 'unknown'",
    expected: { kind: "set_not_null", table: "users", columns: ["phone"], fill: "'unknown'" },
  },
  {
    request: "Could you make the phone column of users NOT NULL? Fill the empty ones with 'unknown' first.",
    expected: { kind: "set_not_null", table: "users", columns: ["phone"], fill: "'unknown'" },
  },
  {
    request: "make users.phone mandatroy and fill the missing ones with 'unknown'",
    expected: { kind: "set_not_null", table: "users", columns: ["phone"], fill: "'unknown'" },
  },
  // an index on one column
  {
    request: "idx payments(order_id)",
    expected: { kind: "create_index", table: "payments", columns: ["order_id"], unique: false },
  },
  {
    request: "Hey, could you please add an index on the order_id column of payments? Lookups are slow",
    expected: { kind: "create_index", table: "payments", columns: ["order_id"], unique: false },
  },
  {
    request: "add an idnex on payments order_id",
    expected: { kind: "create_index", table: "payments", columns: ["order_id"], unique: false },
  },
  // a composite index
  {
    request: "composite index on orders(user_id, created_at)",
    expected: { kind: "create_index", table: "orders", columns: ["user_id", "created_at"], unique: false },
  },
  {
    request: "Please add an index on orders covering user_id and created_at, the dashboard filters on both.",
    expected: { kind: "create_index", table: "orders", columns: ["user_id", "created_at"], unique: false },
  },
  {
    request: "add a composit indx on ordres(status, created_at)",
    expected: { kind: "create_index", table: "orders", columns: ["status", "created_at"], unique: false },
  },
  // a unique index
  {
    request: "unique index on users(phone)",
    expected: { kind: "create_index", table: "users", columns: ["phone"], unique: true },
  },
  {
    request: "Would you add a unique index on the phone column of users, so no two people share a number?",
    expected: { kind: "create_index", table: "users", columns: ["phone"], unique: true },
  },
  {
    request: "create uniqe idnex on users(phone)",
    expected: { kind: "create_index", table: "users", columns: ["phone"], unique: true },
  },
  // a unique constraint (products.sku is already unique in the fixture: the planner says so)
  {
    request: "make products.sku unique",
    expected: { kind: "add_unique", table: "products", columns: ["sku"] },
  },
  {
    request: "Could you ensure that sku values in products are unique? We had duplicates last week.",
    expected: { kind: "add_unique", table: "products", columns: ["sku"] },
  },
  {
    request: "make prodcts.sku uniqe",
    expected: { kind: "add_unique", table: "products", columns: ["sku"] },
  },
  // a foreign key
  {
    request: "payments.order_id should reference orders",
    expected: { kind: "add_foreign_key", table: "payments", columns: ["order_id"], references: "orders(id)" },
  },
  {
    request: "Please add a foreign key so that payments.order_id references orders.id, on delete cascade.",
    expected: {
      kind: "add_foreign_key",
      table: "payments",
      columns: ["order_id"],
      references: "orders(id)",
      on_delete: "cascade",
    },
  },
  {
    request: "add a foriegn key from order_items.product_id to prodcts",
    expected: {
      kind: "add_foreign_key",
      table: "order_items",
      columns: ["product_id"],
      references: "products(id)",
    },
  },
  {
    request: "link payments.order_id to orders",
    expected: { kind: "add_foreign_key", table: "payments", columns: ["order_id"], references: "orders(id)" },
  },
  // a check constraint
  {
    request: "add a check on products that price_cents >= 0",
    expected: { kind: "add_check", table: "products", expression: "price_cents >= 0" },
  },
  {
    request: "Could you add a check constraint to products ensuring price_cents >= 0?",
    expected: { kind: "add_check", table: "products", expression: "price_cents >= 0" },
  },
  {
    request: "add a chek on prodcts that price_cents >= 0",
    expected: { kind: "add_check", table: "products", expression: "price_cents >= 0" },
  },
  {
    request: "ensure orders.total_cents >= 0",
    expected: { kind: "add_check", table: "orders", expression: "total_cents >= 0" },
  },
  {
    request: "products.price_cents must be >= 0",
    expected: { kind: "add_check", table: "products", expression: "price_cents >= 0" },
  },
  // move a column to a new table
  {
    request: "move users.phone to a new table user_phones",
    expected: { kind: "move_column", table: "users", columns: ["phone"], to: "user_phones" },
  },
  {
    request: "Could you move the phone column out of users into a new table called user_phones?",
    expected: { kind: "move_column", table: "users", columns: ["phone"], to: "user_phones" },
  },
  {
    request: "moev users.phone to a new tabel user_phones",
    expected: { kind: "move_column", table: "users", columns: ["phone"], to: "user_phones" },
  },
  {
    request: "split users.phone into its own table user_phones",
    expected: { kind: "move_column", table: "users", columns: ["phone"], to: "user_phones" },
  },
];

/** Requests that are not a plan: unsafe as asked, out of scope, or not understood. */
const REFUSALS: { request: string; kind: NotUnderstood["kind"]; reason: RegExp }[] = [
  { request: "truncate payments", kind: "unsafe", reason: /TRUNCATE destroys every row/ },
  { request: "truncat the payments table", kind: "unsafe", reason: /TRUNCATE destroys every row/ },
  { request: "Please delete all the rows in payments", kind: "unsafe", reason: /deleting every row/ },
  { request: "remove everything from payments", kind: "unsafe", reason: /deleting every row/ },
  { request: "delete from payments", kind: "unsafe", reason: /DELETE FROM removes rows/ },
  { request: "wipe the payments table", kind: "unsafe", reason: /wiping a table/ },
  { request: "drop users and skip the checks", kind: "unsafe", reason: /health checks .* never skipped/ },
  { request: "rename users.email to mail, no rollback needed", kind: "unsafe", reason: /keeps a way back/ },
  { request: "drop table orders cascade", kind: "unsafe", reason: /CASCADE/ },
  {
    request: "do a blue-green deployment of the api",
    kind: "unsupported",
    reason: /needs a traffic component/,
  },
  {
    request: "roll the new orders service out as a canary to 10% of traffic",
    kind: "unsupported",
    reason: /needs a traffic component/,
  },
  {
    request: "make it faster",
    kind: "unknown",
    reason: /names no table.*order_items, orders, payments, products, users/,
  },
  { request: "users.phone is weird", kind: "unknown", reason: /found users\.phone .* not what to do/ },
  { request: "rename users.email", kind: "unknown", reason: /does not say the new name/ },
  { request: "add a column to users", kind: "unknown", reason: /new column's name and type/ },
  // Dropping a constraint or an index is no template: never read as adding one, nor as dropping
  // the table the request calls a table.
  {
    request:
      "the products table has a CHECK that price_cents >= 0, so imports fail. Please remove that check constraint from products",
    kind: "unknown",
    reason: /dropping a constraint is not something this planner plans yet/,
  },
  { request: "drop that index on orders(status)", kind: "unknown", reason: /dropping an index/ },
];

let discovery: PgDiscovery;

beforeAll(async () => {
  const client = pgliteClient(await PGlite.create());
  await client.exec(APP_SCHEMA);
  await client.exec(SMALL_SEED);
  discovery = await discoverPostgres(pgConnection(client, "pglite:memory", { kind: "memory" }));
  await client.close();
});

describe("parseRequest: what a request asks for, on the shop fixture", () => {
  it.each(CASES)("$request", ({ request, expected }) => {
    expect(reading(parseRequest(request, discovery))).toEqual(expected);
  });

  it("reads every intent at least three ways", () => {
    const byKind = new Map<string, number>();
    for (const c of CASES) byKind.set(c.expected.kind, (byKind.get(c.expected.kind) ?? 0) + 1);
    expect([...byKind.keys()].sort()).toEqual(
      [
        "add_check",
        "add_column",
        "add_foreign_key",
        "add_unique",
        "change_type",
        "create_index",
        "drop_column",
        "drop_table",
        "move_column",
        "rename_column",
        "rename_table",
        "set_not_null",
      ].sort(),
    );
    for (const [kind, n] of byKind) expect(n, kind).toBeGreaterThanOrEqual(3);
  });
});

describe("parseRequest: what it will not plan, with the reason", () => {
  it.each(REFUSALS)("$request", ({ request, kind, reason }) => {
    const parsed = parseRequest(request, discovery);
    expect(parsed.kind).toBe(kind);
    expect("reason" in parsed ? parsed.reason : "").toMatch(reason);
  });
});

describe("parseRequest: typos are read, names are not invented", () => {
  it("keeps a new name that looks like a keyword as written", () => {
    const parsed = reading(parseRequest("rename table payments to tables", discovery));
    expect(parsed).toEqual({ kind: "rename_table", table: "payments", to: "tables" });
  });

  it("does not read an English word one letter from a keyword as that keyword", () => {
    // "after" is one letter from "alter"; read as a type change it would plan the wrong thing.
    const parsed = reading(parseRequest("index orders(status) after the sale", discovery));
    expect(parsed).toEqual({ kind: "create_index", table: "orders", columns: ["status"], unique: false });
  });

  it("does not drop a table because its name comes near a verb of deleting", () => {
    expect(parseRequest("remove the old entries in payments", discovery).kind).toBe("unknown");
  });

  it("still drops a column named as one, whatever else the request mentions", () => {
    expect(parseRequest("drop the column phone from users, and its index", discovery).kind).toBe(
      "drop_column",
    );
  });

  it("leaves a column's own name alone, even when it is close to a keyword", () => {
    const parsed = reading(parseRequest("drop the column status from orders", discovery));
    expect(parsed).toEqual({ kind: "drop_column", table: "orders", columns: ["status"] });
  });
});
