import { describe, expect, it } from "vitest";
import { addColumn } from "./actions/add-column.js";
import { dropColumn } from "./actions/drop-column.js";
import { postgresActions } from "./adapter.js";

/** The discovery-derived risk of add_column and drop_column: raised by size and sensitivity, never lowered. */
const MB = 1024 * 1024;
const discovery = {
  kind: "postgres",
  tables: [
    {
      schema: "public",
      name: "orders",
      row_estimate: 1_200_000,
      size_bytes: 182 * MB,
      columns: [
        { name: "id", type: "bigint", nullable: false },
        { name: "status", type: "text", nullable: false },
      ],
    },
    {
      schema: "public",
      name: "users",
      row_estimate: 30,
      size_bytes: 64 * 1024,
      columns: [
        { name: "password_hash", type: "text", nullable: true },
        { name: "nickname", type: "text", nullable: true },
      ],
    },
  ],
  views: [],
};

describe("add_column risk", () => {
  const risk = (table: string, column: Record<string, unknown>, withDiscovery = true) =>
    addColumn.risk({ table, column }, withDiscovery ? { discovery } : {});

  it("is the static risk without a discovery, or for a table it does not know", () => {
    const base = { complexity: 0.2, blast_radius: 0.3, reversibility_difficulty: 0.1, data_sensitivity: 0.2 };
    expect(risk("orders", { name: "note", type: "text" }, false)).toEqual(base);
    expect(risk("brand_new", { name: "note", type: "text" })).toEqual(base);
  });

  it("raises the blast radius with the size, in full only when a volatile default rewrites the table", () => {
    expect(risk("orders", { name: "note", type: "text" }).blast_radius).toBe(0.5);
    expect(risk("orders", { name: "ref", type: "uuid", default: "gen_random_uuid()" }).blast_radius).toBe(
      0.71,
    );
    expect(risk("users", { name: "note", type: "text" }).blast_radius).toBe(0.3);
  });

  it("raises the sensitivity for a personal or financial column", () => {
    expect(risk("users", { name: "card_number", type: "text" }).data_sensitivity).toBe(0.8);
    expect(risk("users", { name: "note", type: "text" }).data_sensitivity).toBe(0.2);
  });
});

describe("drop_column risk", () => {
  it("never goes below the static values, and rises for a large table or a secret", () => {
    expect(dropColumn.risk({ table: "users", column: "nickname" }, { discovery })).toEqual({
      complexity: 0.5,
      blast_radius: 0.8,
      reversibility_difficulty: 0.8,
      data_sensitivity: 0.8,
    });
    expect(dropColumn.risk({ table: "users", column: "password_hash" }, { discovery }).data_sensitivity).toBe(
      0.9,
    );
    const huge = { ...discovery, tables: [{ ...discovery.tables[0], row_estimate: 500_000_000 }] };
    expect(dropColumn.risk({ table: "orders", column: "status" }, { discovery: huge }).blast_radius).toBe(
      0.97,
    );
  });
});

describe("every other action on a table (adapter.ts wraps them)", () => {
  const action = (name: string) => {
    const found = postgresActions.find((a) => a.name === name);
    if (!found) throw new Error(name);
    return found;
  };

  it("raises the blast radius of create_index and set_not_null with the table's size", () => {
    const index = action("postgres.create_index");
    const small = index.risk({ table: "users", columns: ["nickname"] }, { discovery });
    const large = index.risk({ table: "orders", columns: ["status"] }, { discovery });
    expect(large.blast_radius).toBe(0.71);
    expect(small.blast_radius).toBeLessThan(large.blast_radius);
    expect(index.risk({ table: "orders", columns: ["status"] }, {})).toEqual(
      index.risk({ table: "nowhere", columns: ["status"] }, { discovery }),
    );
  });

  it("raises the sensitivity by the columns a step touches, and drop_table by all of them", () => {
    const backfill = action("postgres.backfill");
    expect(
      backfill.risk({ table: "users", set: { password_hash: "NULL" } }, { discovery }).data_sensitivity,
    ).toBe(0.9);
    const dropTable = action("postgres.drop_table");
    expect(dropTable.risk({ table: "users" }, { discovery }).data_sensitivity).toBe(0.9);
    expect(dropTable.risk({ table: "users" }, {}).data_sensitivity).toBeLessThan(0.9);
  });
});
