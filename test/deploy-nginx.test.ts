import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCase } from "../evals/case.js";
import { runCase } from "../evals/run-case.js";
import { actionRules, adapters } from "../src/adapters/registry.js";
import { createCatalog } from "../src/core/catalog/catalog.js";
import { offlinePlanner } from "../src/planner/offline/offline-planner.js";
import { projectRoot } from "../src/project-root.js";
import { hasNginx } from "./support/nginx.js";

/**
 * Issue 8's acceptance, end to end through a real nginx (Debian's package; .ci/run installs it):
 * the offline planner plans from the request, the executor runs the plan under 100 requests a
 * second through nginx, and the eval runner checks the outcome — a blue-green switch and a canary
 * with no failed request, and a canary whose new version fails 30 % of its requests rolled back
 * automatically, all traffic on v1 again.
 */
const SUITE = join(projectRoot(), "evals", "suites", "deploy");

async function run(id: string) {
  const loaded = await loadCase(join(SUITE, `${id}.yaml`));
  return runCase(loaded, { planner: offlinePlanner(), catalog: createCatalog(actionRules()), adapters });
}

const failing = (r: Awaited<ReturnType<typeof run>>) =>
  r.checks.filter((c) => !c.pass).map((c) => `${c.check}: ${c.detail}`);

describe.skipIf(!hasNginx)("deployments through a real nginx", () => {
  it("switches blue-green under load with 0 failed requests", async () => {
    const result = await run("deploy-blue-green-nginx");
    expect(failing(result)).toEqual([]);
    expect(result.execution?.traffic).toMatchObject({ errors: 0, slow: 0 });
    expect(result.execution?.status).toBe("completed");
  });

  it("promotes a healthy canary with 0 failed requests", async () => {
    const result = await run("deploy-canary-nginx-good");
    expect(failing(result)).toEqual([]);
    expect(result.execution?.traffic).toMatchObject({ errors: 0, slow: 0 });
  });

  it("rolls a canary back automatically on an error spike", async () => {
    const result = await run("deploy-canary-nginx-error-spike");
    expect(failing(result)).toEqual([]);
    expect(result.execution?.status).toBe("rolled_back");
    expect(result.checks.find((c) => c.check === "after #1")?.detail).toMatch(/v1 100 \/ v2 0/);
  });
});
