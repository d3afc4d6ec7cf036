import { describe, expect, it } from "vitest";
import {
  blastRadiusFromSize,
  columnSensitivity,
  discoveredTable,
  raiseRisk,
  sensitivityFromColumns,
} from "./derived-factors.js";

const MB = 1024 * 1024;

describe("blastRadiusFromSize", () => {
  it("grows on a log scale with rows and bytes, within 0.1–1.0", () => {
    expect(blastRadiusFromSize(0, 0)).toBe(0.1);
    expect(blastRadiusFromSize(30, 64 * 1024)).toBe(0.25);
    expect(blastRadiusFromSize(10_000, MB)).toBe(0.5);
    expect(blastRadiusFromSize(1_200_000, 182 * MB)).toBe(0.71);
    expect(blastRadiusFromSize(100_000_000, 20_000 * MB)).toBe(0.9);
    expect(blastRadiusFromSize(1e12, 1e15)).toBe(1);
  });

  it("goes by size when the row count is unknown, and never decreases", () => {
    expect(blastRadiusFromSize(null, 1024 * MB)).toBe(0.6);
    let previous = 0;
    for (let rows = 1; rows < 1e10; rows *= 7) {
      const value = blastRadiusFromSize(rows, 0);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
  });
});

describe("sensitivityFromColumns", () => {
  it.each([
    ["email", undefined, "personal"],
    ["emailAddress", undefined, "personal"],
    ["full_name", undefined, "personal"],
    ["phone", undefined, "personal"],
    ["birth_date", undefined, "personal"],
    ["client", "inet", "personal"],
    ["card_last4", undefined, "financial"],
    ["amount_cents", undefined, "financial"],
    ["iban", undefined, "financial"],
    ["salary", undefined, "financial"],
    ["price", "money", "financial"],
    ["ssn", undefined, "secret"],
    ["password_hash", undefined, "secret"],
    ["name", undefined, undefined],
    ["address_id", undefined, undefined],
    ["status", "text", undefined],
    ["created_at", "timestamptz", undefined],
  ])("%s (%s) is %s", (name, type, expected) => {
    expect(columnSensitivity(name, type)).toBe(expected);
  });

  it("scores the most sensitive column: secret 0.9, financial 0.8, personal 0.7, else 0.1", () => {
    expect(sensitivityFromColumns([])).toBe(0.1);
    expect(sensitivityFromColumns(["status", "sku"])).toBe(0.1);
    expect(sensitivityFromColumns(["status", "email"])).toBe(0.7);
    expect(sensitivityFromColumns([{ name: "email" }, { name: "card_number", type: "text" }])).toBe(0.8);
    expect(sensitivityFromColumns(["api_token", "card_number"])).toBe(0.9);
  });
});

describe("raiseRisk and discoveredTable", () => {
  it("takes the higher of each factor", () => {
    const base = { complexity: 0.2, blast_radius: 0.3, reversibility_difficulty: 0.1, data_sensitivity: 0.2 };
    expect(raiseRisk(base, { blast_radius: 0.7, data_sensitivity: 0.1 })).toEqual({
      ...base,
      blast_radius: 0.7,
    });
  });

  it("reads a table from a postgres discovery, and nothing from anything else", () => {
    const discovery = {
      kind: "postgres",
      tables: [
        {
          schema: "public",
          name: "users",
          row_estimate: 30,
          size_bytes: 65536,
          columns: [{ name: "email", type: "text", nullable: false }],
        },
      ],
      views: [],
    };
    expect(discoveredTable(discovery, "public", "users")).toEqual({
      rows: 30,
      bytes: 65536,
      columns: [{ name: "email", type: "text" }],
      partitioned: false,
    });
    expect(discoveredTable(discovery, "public", "orders")).toBeUndefined();
    expect(discoveredTable({ kind: "shell" }, "public", "users")).toBeUndefined();
    expect(discoveredTable(undefined, "public", "users")).toBeUndefined();
  });
});
