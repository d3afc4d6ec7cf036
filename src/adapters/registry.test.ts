import { describe, expect, it } from "vitest";
import { createCatalog } from "../core/catalog/catalog.js";
import { compositeRisk } from "../core/risk/risk.js";
import { actionRules, adapterFor, adapters } from "./registry.js";

describe("adapter registry", () => {
  it("lists the adapters of this build, found by kind", () => {
    expect(adapters.map((a) => a.kind)).toEqual(["postgres", "shell"]);
    expect(adapterFor("postgres")?.kind).toBe("postgres");
    expect(adapterFor("kubernetes")).toBeUndefined();
  });

  it("gives every action's rules to the core's catalogue", () => {
    const rules = actionRules();
    expect(rules.map((r) => r.name)).toEqual([
      "postgres.sql",
      "postgres.add_column",
      "postgres.drop_column",
      "postgres.restore_column",
      "shell.exec",
    ]);
    const catalog = createCatalog(rules);
    expect(catalog.hasAdapter("shell")).toBe(true);
    const add = catalog.get("postgres.add_column");
    const params = { table: "users", column: { name: "email_verified", type: "boolean", nullable: true } };
    expect(add?.params.safeParse(params).success).toBe(true);
    expect(add?.hasInverse(params)).toBe(true);
    expect(catalog.get("postgres.sql")?.hasInverse({ sql: "SELECT 1" })).toBe(false);
  });

  it("keeps contract steps above the approval threshold and the rest below", () => {
    const composite = (name: string) => {
      const rule = actionRules().find((r) => r.name === name);
      if (!rule) throw new Error(name);
      return compositeRisk(rule.risk({}, {}));
    };
    expect(composite("postgres.drop_column")).toBeGreaterThan(0.7);
    for (const name of ["postgres.sql", "postgres.add_column", "postgres.restore_column", "shell.exec"]) {
      expect(composite(name), name).toBeLessThanOrEqual(0.7);
    }
  });

  it("maps every automatic inverse to an action of the catalogue, with valid params", () => {
    const samples: Record<string, unknown> = {
      "postgres.sql": { sql: "SELECT 1" },
      "postgres.add_column": { table: "users", column: { name: "nickname", type: "text" } },
      "postgres.drop_column": { table: "users", column: "phone" },
      "postgres.restore_column": { table: "users", column: "phone", schema: "public" },
      "shell.exec": { argv: ["true"] },
    };
    for (const adapter of adapters) {
      for (const action of adapter.actions) {
        const params = action.params.parse(samples[action.name]);
        const inverse = action.inverse(params);
        if (!action.hasInverse(params)) {
          expect(inverse, action.name).toEqual({ manual: expect.any(String) });
          continue;
        }
        if (!("action" in inverse)) throw new Error(`${action.name}: no inverse action`);
        const undo = adapter.actions.find((a) => a.name === inverse.action);
        expect(undo?.params.safeParse(inverse.params).success, action.name).toBe(true);
      }
    }
  });
});
