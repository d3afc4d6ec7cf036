/**
 * Issue 5: the offline planner's planning time on the pagila fixture, after discovery (goal
 * < 300 ms). Discovery is timed apart; planning is repeated on the discovered system (the
 * session keeps its discovery), one request per template, and the medians are reported.
 * Writes bench/results/planner.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pagilaScripts } from "../src/adapters/postgres/backends.contract.js";
import { acquirePglite } from "../src/adapters/postgres/pglite-shared.js";
import { adapters } from "../src/adapters/registry.js";
import { offlinePlanner } from "../src/planner/offline/offline-planner.js";
import { defaultCatalog } from "../src/services/catalog.js";
import { openSystem } from "../src/services/system.js";
import { median } from "./median.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const REPEAT = 15;
const REQUESTS = [
  "add an index on payment(customer_id, payment_date)",
  "rename customer.email to email_address",
  "make rental.inventory_id a bigint",
  "add a nullable text column nickname to customer",
  "make customer.email required, fill missing ones with 'unknown'",
  "add a check on film that length > 0",
];

const dir = await mkdtemp(join(tmpdir(), "ma-bench-planner-"));
const shared = await acquirePglite({ kind: "file", path: join(dir, "pagila") });
for (const script of pagilaScripts()) await shared.db.exec(script);
await shared.db.exec("ANALYZE");

const system = openSystem(
  [{ id: "pagila", kind: "postgres", connection: `pglite:${join(dir, "pagila")}` }],
  adapters,
  {},
);
const catalog = defaultCatalog();
const t0 = performance.now();
await system.discover("pagila");
const discoveryMs = performance.now() - t0;

const results: { request: string; outcome: string; steps: number; median_ms: number; max_ms: number }[] = [];
for (const request of REQUESTS) {
  const times: number[] = [];
  let outcome = "";
  let steps = 0;
  for (let i = 0; i < REPEAT; i++) {
    const started = performance.now();
    const result = await offlinePlanner().plan({ request, system, catalog });
    times.push(performance.now() - started);
    outcome =
      result.kind === "blueprint"
        ? result.valid
          ? "valid blueprint"
          : "invalid blueprint"
        : `refused: ${result.reason}`;
    steps = result.kind === "blueprint" ? result.blueprint.phases.reduce((n, p) => n + p.steps.length, 0) : 0;
  }
  results.push({
    request,
    outcome,
    steps,
    median_ms: +median(times).toFixed(2),
    max_ms: +Math.max(...times).toFixed(2),
  });
  console.log(
    `${median(times).toFixed(1).padStart(7)} ms  (max ${Math.max(...times).toFixed(1)})  ${request} → ${outcome}, ${steps} steps`,
  );
}
console.log(
  `discovery of pagila (once): ${discoveryMs.toFixed(0)} ms; planning goal < 300 ms after discovery`,
);
await shared.release();
await rm(dir, { recursive: true, force: true });
await mkdir(join(ROOT, "bench/results"), { recursive: true });
await writeFile(
  join(ROOT, "bench/results/planner.json"),
  `${JSON.stringify({ measured_at: new Date().toISOString(), node: process.version, repeat: REPEAT, discovery_ms: Math.round(discoveryMs), results }, null, 2)}\n`,
);
