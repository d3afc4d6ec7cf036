import { describe, expect, it } from "vitest";
import { ACTION_NAMES } from "../core/catalog/action-names.js";
import { createCatalog } from "../core/catalog/catalog.js";
import { compositeRisk } from "../core/risk/risk.js";
import { ACTION_SAMPLES } from "./postgres/cases/samples.js";
import { actionRules, adapterFor, adapters } from "./registry.js";

describe("adapter registry", () => {
  it("lists the adapters of this build, found by kind", () => {
    expect(adapters.map((a) => a.kind)).toEqual(["postgres", "shell", "http", "traffic", "kubernetes"]);
    expect(adapterFor("postgres")?.kind).toBe("postgres");
    expect(adapterFor("mysql")).toBeUndefined();
  });

  it("gives every action's rules to the core's catalogue", () => {
    const rules = actionRules();
    const names = rules.map((r) => r.name);
    // Every action of the closed set that belongs to a built adapter is built: no MA502 for them.
    const builtAdapters = new Set(adapters.map((a) => a.kind));
    const expected = [...ACTION_NAMES].filter((n) => builtAdapters.has(n.split(".")[0] as string));
    expect([...names].sort()).toEqual(expected.sort());
    expect(names).toHaveLength(new Set(names).size);
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
    for (const adapter of adapters) {
      for (const action of adapter.actions) {
        const params = action.params.parse(ACTION_SAMPLES[action.name]);
        const inverse = action.inverse(params);
        if (!action.hasInverse(params)) {
          expect(inverse, action.name).toEqual({ manual: expect.any(String) });
          continue;
        }
        if ("nothing" in inverse) continue; // a step that only reads (traffic.analyze)
        if (!("action" in inverse)) throw new Error(`${action.name}: no inverse action`);
        const undo = adapter.actions.find((a) => a.name === inverse.action);
        expect(undo?.params.safeParse(inverse.params).success, action.name).toBe(true);
      }
    }
  });
});
