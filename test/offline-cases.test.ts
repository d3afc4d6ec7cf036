import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCase } from "../evals/case.js";
import { runCase } from "../evals/run-case.js";
import { SHARED } from "../src/adapters/postgres/backends.contract.js";
import { adapters } from "../src/adapters/registry.js";
import { offlinePlanner } from "../src/planner/offline/offline-planner.js";
import { defaultCatalog } from "../src/services/catalog.js";

/**
 * Issue 5's acceptance: the offline planner's blueprints for the six public cases
 * (../shared/evals/cases) are valid, execute on PGlite and roll back to equal checksums; the
 * unsafe one is refused.
 */
const CASES = join(SHARED, "evals", "cases");
const files = readdirSync(CASES)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

describe("offline planner on the public eval cases (PGlite)", () => {
  it("finds the six cases", () => expect(files.length).toBe(6));
  for (const file of files) {
    it(file, async () => {
      const loaded = await loadCase(join(CASES, file));
      const result = await runCase(loaded, {
        planner: offlinePlanner(),
        catalog: defaultCatalog(),
        adapters,
        now: new Date("2026-11-25T10:00:00Z"),
      });
      const failing = result.checks.filter((c) => !c.pass).map((c) => `${c.check}: ${c.detail}`);
      expect(failing, `${file}: ${result.reason ?? ""}`).toEqual([]);
      expect(result.pass).toBe(true);
      if (loaded.case.expect.execute && !loaded.case.expect.refuse) {
        expect(result.checks.map((c) => c.check)).toContain("rollback_restores");
      }
    });
  }
});
