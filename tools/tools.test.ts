import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { APP_SCHEMA, pagilaScripts, SMALL_SEED } from "../src/adapters/postgres/backends.contract.js";
import { pgliteClient } from "../src/adapters/postgres/pglite-client.js";
import { acquirePglite, type SharedPglite } from "../src/adapters/postgres/pglite-shared.js";
import { adapters } from "../src/adapters/registry.js";
import { projectRoot } from "../src/project-root.js";
import { defaultCatalog } from "../src/services/catalog.js";
import { openSystem } from "../src/services/system.js";
import { callTool, toolByName } from "./registry.js";
import { ToolInputError, type ToolServices } from "./tool.js";

// biome-ignore lint/suspicious/noExplicitAny: tests read the tools' JSON results freely
type Json = any;

/** A PGlite file database loaded with `scripts`, and a session on it (as the CLI's --target opens one). */
async function fixture(name: string, scripts: string[]) {
  const dir = await mkdtemp(join(tmpdir(), "ma-tools-"));
  const path = join(dir, name);
  const shared = await acquirePglite({ kind: "file", path });
  const client = pgliteClient(shared.db, { owned: false });
  for (const sql of scripts) await client.exec(sql);
  const system = openSystem([{ id: name, kind: "postgres", connection: `pglite:${path}` }], adapters, {});
  const services: ToolServices = { system, catalog: defaultCatalog() };
  return { dir, path, shared, services };
}

async function call(services: ToolServices, name: string, input: unknown): Promise<Json> {
  const tool = toolByName(name);
  if (!tool) throw new Error(`no tool ${name}`);
  return callTool(tool, input, services);
}

async function inputError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolInputError);
  return (error as Error).message;
}

describe("tools on the shop database", () => {
  let dir: string;
  let shared: SharedPglite;
  let services: ToolServices;
  let path: string;
  const renameText = readFile(join(projectRoot(), "examples/rename-column.yaml"), "utf8");

  beforeAll(async () => {
    ({ dir, path, shared, services } = await fixture("app-db", [APP_SCHEMA, SMALL_SEED]));
  });
  afterAll(async () => {
    await shared?.release();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("list_components gives the references as written, a URL's password hidden, without connecting", async () => {
    const out = await call(services, "list_components", {});
    expect(out.components).toEqual([
      { id: "app-db", kind: "postgres", connection: `pglite:${path}`, description: null },
    ]);
    const remote = openSystem(
      [{ id: "remote", kind: "postgres", connection: "postgres://app:s3cret@db.invalid/shop" }],
      adapters,
      {},
    );
    const listed = await call({ ...services, system: remote }, "list_components", undefined);
    expect(listed.components[0].connection).toBe("postgres://app:***@db.invalid/shop");
  });

  it("describe_table users: columns, constraints, indexes, and the view that reads it", async () => {
    const out = await call(services, "describe_table", { table: "users" });
    expect(out.component).toBe("app-db");
    expect(out.table.columns.map((c: Json) => c.name)).toEqual([
      "id",
      "email",
      "full_name",
      "phone",
      "created_at",
    ]);
    expect(out.table.columns.find((c: Json) => c.name === "phone").nullable).toBe(true);
    expect(out.table.primary_key).toEqual(["id"]);
    expect(out.table.constraints.map((c: Json) => [c.name, c.type])).toEqual(
      expect.arrayContaining([
        ["users_email_key", "unique"],
        ["users_pkey", "primary_key"],
      ]),
    );
    expect(out.table.indexes.map((i: Json) => i.name).sort()).toEqual(["users_email_key", "users_pkey"]);
    expect(out.table.row_estimate).toBe(30);
    expect(out.views).toEqual([
      { schema: "public", name: "order_summaries", materialized: false, columns: ["id", "email"] },
    ]);
  });

  it("find_dependents users.email: the view that reads it and the unique constraint and index", async () => {
    const out = await call(services, "find_dependents", { table: "users", column: "email" });
    expect(out.column).toBe("email");
    expect(out.views.map((v: Json) => v.name)).toEqual(["order_summaries"]);
    expect(out.constraints).toEqual([
      { name: "users_email_key", type: "unique", columns: ["email"], definition: "UNIQUE (email)" },
    ]);
    expect(out.indexes.map((i: Json) => i.name)).toEqual(["users_email_key"]);
    // users.id is referenced by orders, users.email by nothing.
    expect(out.referenced_by).toEqual([]);
    expect(out.summary).toContain("view order_summaries reads users.email");

    const phone = await call(services, "find_dependents", { table: "users", column: "phone" });
    expect(phone.views).toEqual([]);
    expect(phone.constraints).toEqual([]);
    expect(phone.indexes).toEqual([]);
  });

  it("find_dependents orders: foreign keys from order_items and payments, and its own to users", async () => {
    const out = await call(services, "find_dependents", { table: "orders" });
    expect(out.column).toBeNull();
    expect(out.referenced_by.map((f: Json) => `${f.table}.${f.name}`).sort()).toEqual([
      "order_items.order_items_order_id_fkey",
      "payments.payments_order_id_fkey",
    ]);
    expect(out.referenced_by[0].references).toEqual({ schema: "public", table: "orders", columns: ["id"] });
    expect(out.references.map((f: Json) => [f.name, f.references.table])).toEqual([
      ["orders_user_id_fkey", "users"],
    ]);
    expect(out.indexes.map((i: Json) => i.name).sort()).toEqual(["orders_pkey", "orders_user_id_idx"]);
    expect(out.sequences).toEqual(["public.orders_id_seq"]);
    expect(out.views.map((v: Json) => v.name)).toEqual(["order_summaries"]);

    const userId = await call(services, "find_dependents", { table: "orders", column: "user_id" });
    expect(userId.references.map((f: Json) => f.name)).toEqual(["orders_user_id_fkey"]);
    expect(userId.referenced_by).toEqual([]);
    expect(userId.indexes.map((i: Json) => i.name)).toEqual(["orders_user_id_idx"]);
  });

  it("table_stats: figures and the lint's size class", async () => {
    const out = await call(services, "table_stats", { table: "public.orders" });
    expect(out).toMatchObject({
      schema: "public",
      table: "orders",
      row_estimate: 40,
      size_class: "small",
      partitioned: false,
      partition_count: 0,
      index_count: 2,
      summary: expect.stringMatching(/^orders has ~40 rows \(\d+ kB\)$/),
    });
    expect(out.size_bytes).toBeGreaterThan(0);
    expect(out.indexes.sort()).toEqual(["orders_pkey", "orders_user_id_idx"]);
  });

  it("discover_system: a compact summary of every table and view", async () => {
    const out = await call(services, "discover_system", {});
    expect(out.failures).toEqual([]);
    const pg = out.components[0].postgres;
    expect(out.components[0]).toMatchObject({ id: "app-db", kind: "postgres", details: null });
    expect(pg.driver).toBe("pglite");
    expect(pg.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pg.tables.map((t: Json) => t.name).sort()).toEqual([
      "order_items",
      "orders",
      "payments",
      "products",
      "users",
    ]);
    const users = pg.tables.find((t: Json) => t.name === "users");
    expect(users).toMatchObject({
      row_estimate: 30,
      indexes: 2,
      constraints: 2,
      triggers: 0,
      columns_as_parent: false,
    });
    expect(users.columns[1]).toEqual({ name: "email", type: "text", nullable: false });
    expect(pg.views).toEqual([
      {
        schema: "public",
        name: "order_summaries",
        materialized: false,
        reads: expect.arrayContaining([{ schema: "public", table: "users", columns: ["id", "email"] }]),
      },
    ]);
  });

  it("a session with several components: discovery lists the one that fails; a table tool asks which", async () => {
    const system = openSystem(
      [
        ...services.system.components,
        { id: "broken", kind: "postgres", connection: "env:MA_TOOLS_TEST_UNSET" },
      ],
      adapters,
      {},
    );
    const both = { ...services, system };
    const out = await call(both, "discover_system", {});
    expect(out.components.map((c: Json) => c.id)).toEqual(["app-db"]);
    expect(out.failures).toEqual([
      { component: "broken", message: expect.stringContaining("MA_TOOLS_TEST_UNSET is not set") },
    ]);
    expect(await inputError(call(both, "describe_table", { table: "users" }))).toMatch(
      /2 components.*'app-db', 'broken'/,
    );
    // An unreachable database is not the caller's to fix: a plain error, its password hidden.
    const unreachable = openSystem(
      [{ id: "down", kind: "postgres", connection: "postgres://app:s3cret@127.0.0.1:1/shop" }],
      adapters,
      {},
    );
    const failed = await call({ ...services, system: unreachable }, "describe_table", {
      table: "users",
    }).catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(ToolInputError);
    expect(failed.message).toMatch(/^component 'down' could not be discovered: .*app:\*\*\*@127\.0\.0\.1:1/);
    expect(failed.message).not.toContain("s3cret");
    expect(await inputError(call(both, "table_stats", { component: "nope", table: "users" }))).toMatch(
      /no component 'nope'.*'app-db', 'broken'.*list_components/,
    );
  });

  it("validate_blueprint on examples/rename-column.yaml: valid with the discovery, one step gated", async () => {
    const out = await call(services, "validate_blueprint", { blueprint: await renameText });
    expect(out.valid).toBe(true);
    expect(out.discovered).toEqual(["app-db"]);
    expect(out.summary).toEqual({ steps: 4, needs_approval: ["contract-email"], max_risk: 0.76 });
    expect(out.diagnostics.filter((d: Json) => d.severity === "error")).toEqual([]);
    expect(out.diagnostics).toContainEqual(
      expect.objectContaining({ code: "MA401", path: "blueprint.phases[2].steps[0].id", line: 66 }),
    );
  });

  it("validate_blueprint uses the discovery: dropping users.email, which a view reads, is an error (MA606)", async () => {
    const doc = parse(await renameText);
    const inner = doc.blueprint;
    inner.phases = [
      {
        id: "drop",
        name: "Drop email",
        steps: [
          {
            id: "drop-email",
            name: "Drop users.email",
            component: "app-db",
            action: "postgres.drop_column",
            params: { table: "users", column: "email" },
            rollback: { inverse: true },
          },
        ],
      },
    ];
    inner.dependency_graph = { edges: [] };
    inner.rollback_strategy = { type: "cascading" };
    // The inner object is accepted as well as { blueprint: … }.
    const out = await call(services, "validate_blueprint", { blueprint: inner });
    expect(out.valid).toBe(false);
    expect(out.diagnostics).toContainEqual(
      expect.objectContaining({ code: "MA606", severity: "error", line: null }),
    );
    expect(out.diagnostics.find((d: Json) => d.code === "MA606").message).toContain("order_summaries");

    // A session that does not know app-db validates without discovery: the view is not known.
    const stranger = openSystem(
      [{ id: "other", kind: "postgres", connection: `pglite:${path}` }],
      adapters,
      {},
    );
    const blind = await call({ ...services, system: stranger }, "validate_blueprint", { blueprint: doc });
    expect(blind.discovered).toEqual([]);
    expect(blind.diagnostics.map((d: Json) => d.code)).not.toContain("MA606");
  });

  it("validate_blueprint and explain_blueprint on a cycle: MA103, and no explanation", async () => {
    const doc = parse(await renameText);
    doc.blueprint.dependency_graph.edges.push({ from: "contract-email", to: "snapshot-users" });
    const out = await call(services, "validate_blueprint", { blueprint: JSON.stringify(doc) });
    expect(out.valid).toBe(false);
    const cycle = out.diagnostics.find((d: Json) => d.code === "MA103");
    expect(cycle).toMatchObject({ severity: "error" });
    expect(cycle.message).toMatch(
      /snapshot-users.*expand-email-address.*unique-email-address.*contract-email/,
    );
    expect(cycle.line).toEqual(expect.any(Number));
    expect(await inputError(call(services, "explain_blueprint", { blueprint: doc }))).toMatch(
      /not valid.*\n.*MA103/,
    );
  });

  it("explain_blueprint: risk table, schedule, critical path and rollback plans", async () => {
    const out = await call(services, "explain_blueprint", { blueprint: await renameText });
    expect(out.blueprint.id).toBe("bp-rename-users-email");
    expect(out.steps.map((s: Json) => s.id)).toEqual([
      "snapshot-users",
      "expand-email-address",
      "unique-email-address",
      "contract-email",
    ]);
    expect(out.steps.filter((s: Json) => s.needs_approval).map((s: Json) => s.id)).toEqual([
      "contract-email",
    ]);
    expect(out.steps[3].rollback).toMatchObject({ kind: "inverse", level: 1, of: "postgres.rename_column" });
    expect(out.phases.map((p: Json) => p.id)).toEqual(["pre-checks", "expand", "contract"]);
    expect(out.critical_path).toEqual({
      steps: ["snapshot-users", "expand-email-address", "unique-email-address", "contract-email"],
      total_ms: 76_000,
      downtime_ms: 0,
    });
    expect(out.rollback_plans.point_in_time.map((p: Json) => p.target)).toEqual([
      "cp-checked",
      "cp-expanded",
    ]);
    expect(out.warnings.map((w: Json) => w.code)).toContain("MA401");
  });

  it("an unknown table or column: ToolInputError with the close names", async () => {
    expect(await inputError(call(services, "describe_table", { table: "userz" }))).toBe(
      "there is no table public.userz in component 'app-db'; did you mean public.users? Call discover_system to list the tables.",
    );
    expect(await inputError(call(services, "table_stats", { table: "order_summaries" }))).toMatch(
      /is a view, not a table/,
    );
    expect(await inputError(call(services, "find_dependents", { table: "users", column: "emial" }))).toMatch(
      /has no column 'emial'; did you mean email\?/,
    );
  });

  it("bad input: ToolInputError with zod's account of it", async () => {
    expect(await inputError(call(services, "describe_table", { tabel: "users" }))).toMatch(
      /invalid input for describe_table:[\s\S]*Unrecognized key: "tabel"[\s\S]*at table/,
    );
    expect(await inputError(call(services, "discover_system", { component: 5 }))).toMatch(/at component/);
    expect(await inputError(call(services, "validate_blueprint", {}))).toMatch(/at blueprint/);
  });

  it("the session leaves no connection open: the test's release closes the database", async () => {
    await shared.release();
    expect(shared.db.closed).toBe(true);
  });
});

describe("tools on the pagila fixture", () => {
  let dir: string;
  let shared: SharedPglite;
  let services: ToolServices;

  beforeAll(async () => {
    ({ dir, shared, services } = await fixture("pagila", pagilaScripts()));
  });
  afterAll(async () => {
    await shared?.release();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("discover_system stays compact: well under 60 KB of JSON for 70 tables", async () => {
    const out = await call(services, "discover_system", {});
    const pg = out.components[0].postgres;
    expect(JSON.stringify(out).length).toBeLessThan(60_000);
    expect(pg.tables.length).toBeGreaterThan(60);
    const payment = pg.tables.find((t: Json) => t.name === "payment");
    expect(payment).toMatchObject({ partitioned: true, partition_count: 55, columns_as_parent: false });
    const partition = pg.tables.find((t: Json) => t.name === "payment_p2022_01");
    expect(partition).toMatchObject({ partition_of: "public.payment", columns_as_parent: true, columns: [] });
    expect(pg.views.map((v: Json) => v.name)).toEqual(
      expect.arrayContaining(["customer_list", "rental_by_category"]),
    );
    expect(pg.enums.map((e: Json) => e.name)).toContain("mpaa_rating");
  });

  it("find_dependents customer: its view, and the foreign keys of rental and the payment partitions", async () => {
    const out = await call(services, "find_dependents", { table: "customer" });
    expect(out.views.map((v: Json) => v.name)).toEqual(["customer_list"]);
    const holders = out.referenced_by.map((f: Json) => f.table).sort();
    expect(holders).toEqual([
      "payment_p2022_01",
      "payment_p2022_02",
      "payment_p2022_03",
      "payment_p2022_04",
      "payment_p2022_05",
      "payment_p2022_06",
      "rental",
    ]);
    expect(out.summary).toContain(
      "foreign key payment_p2022_01_customer_id_fkey on payment_p2022_01(customer_id) references customer (payment_p2022_01 is a partition of payment)",
    );
    expect(out.triggers.map((t: Json) => t.name)).toEqual(["last_updated"]);

    const firstName = await call(services, "find_dependents", { table: "customer", column: "first_name" });
    expect(firstName.views.map((v: Json) => v.name)).toEqual(["customer_list"]);
    expect(firstName.referenced_by).toEqual([]);
  });

  it("table_stats payment: a partitioned table with its partitions counted", async () => {
    const out = await call(services, "table_stats", { table: "payment" });
    expect(out).toMatchObject({ partitioned: true, partition_count: 55, row_estimate: 60_000 });
  });
});
