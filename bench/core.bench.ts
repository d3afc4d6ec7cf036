/**
 * The core benchmark (`npm run bench`): how long reading + parsing + validating a blueprint takes
 * (`checkBlueprintText`), and explaining it (`explainBlueprint`), at 1k, 10k and 100k steps in JSON
 * and 10k steps in YAML; and how much memory it takes at its peak.
 *
 * Blueprints come from `generate-blueprint.ts` (seeded, so every run measures the same documents)
 * and are written to bench/tmp/ (gitignored). Each size is measured in a fresh child process
 * (`core-one.ts`) so that its peak RSS is its own; times are the median of several repetitions.
 * Prints a table and the targets, and writes every figure to bench/results/core.json.
 *
 * Targets (reported, never asserted by a test): 100k steps parse+validate < 2000 ms, and the
 * 10k → 100k time ratio ≤ 12 (10 is linear).
 */

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CoreOneResult } from "./core-one.js";
import { BENCH_SEED, writeBenchBlueprint } from "./generate-blueprint.js";
import { median } from "./median.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = path.join(ROOT, "bench", "results");
const CHILD = path.join(ROOT, "bench", "core-one.ts");
const MB = 1024 * 1024;

const TARGET_100K_MS = 2000;
const TARGET_RATIO = 12;

interface Case {
  steps: number;
  format: "json" | "yaml";
  repeats: number;
}

const CASES: Case[] = [
  { steps: 1_000, format: "json", repeats: 5 },
  { steps: 10_000, format: "json", repeats: 5 },
  { steps: 100_000, format: "json", repeats: 3 },
  { steps: 10_000, format: "yaml", repeats: 5 },
];

interface CaseResult extends CoreOneResult {
  file_bytes: number;
  file_mb: number;
  generate_ms: number;
  serialize_ms: number;
  parse_validate_median_ms: number;
  explain_median_ms: number;
}

function runCase(c: Case): CaseResult {
  const written = writeBenchBlueprint(c.steps, c.format, BENCH_SEED);
  const child = spawnSync(
    process.execPath,
    ["--expose-gc", "--import", "tsx", CHILD, String(c.steps), c.format, String(c.repeats)],
    { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 16 * MB },
  );
  if (child.error) throw child.error;
  if (child.status !== 0) {
    throw new Error(
      `core-one.ts failed for ${c.steps} steps (${c.format}): exit ${child.status ?? child.signal}`,
    );
  }
  const last = child.stdout.trim().split("\n").pop() ?? "";
  const one = JSON.parse(last) as CoreOneResult;
  if (one.generated) throw new Error(`core-one.ts did not find ${written.file}`);
  return {
    ...one,
    file: path.relative(ROOT, written.file),
    file_bytes: written.bytes,
    file_mb: Math.round((written.bytes / MB) * 10) / 10,
    generate_ms: Math.round(written.generateMs),
    serialize_ms: Math.round(written.serializeMs),
    parse_validate_median_ms: Math.round(median(one.parse_validate_ms) * 10) / 10,
    explain_median_ms: Math.round(median(one.explain_ms) * 10) / 10,
  };
}

function table(rows: CaseResult[]): string {
  const header = [
    "steps",
    "format",
    "file MB",
    "parse+validate ms (median)",
    "explain ms (median)",
    "peak RSS MB",
    "heap after run MB",
    "runs",
  ];
  const body = rows.map((r) => [
    r.steps.toLocaleString("en-US"),
    r.format,
    r.file_mb.toFixed(1),
    r.parse_validate_median_ms.toFixed(1),
    r.explain_median_ms.toFixed(1),
    r.peak_rss_mb.toFixed(1),
    r.heap_used_after_run_mb.toFixed(1),
    String(r.repeats),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

function main(): void {
  mkdirSync(RESULTS, { recursive: true });
  const cpus = os.cpus();
  console.log(
    `core benchmark: node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? "unknown cpu"}, seed ${BENCH_SEED}`,
  );

  const rows: CaseResult[] = [];
  for (const c of CASES) {
    process.stdout.write(`  ${c.steps} steps (${c.format}), ${c.repeats} runs… `);
    const r = runCase(c);
    console.log(
      `parse+validate ${r.parse_validate_ms.join(", ")} ms; explain ${r.explain_ms.join(", ")} ms; ` +
        `${r.diagnostics.errors} errors, ${r.diagnostics.warnings} warnings, ${r.diagnostics.infos} infos`,
    );
    rows.push(r);
  }

  const json = (steps: number) => rows.find((r) => r.format === "json" && r.steps === steps) as CaseResult;
  const at10k = json(10_000);
  const at100k = json(100_000);
  const ratio = Math.round((at100k.parse_validate_median_ms / at10k.parse_validate_median_ms) * 100) / 100;
  const explainRatio = Math.round((at100k.explain_median_ms / at10k.explain_median_ms) * 100) / 100;
  const fastEnough = at100k.parse_validate_median_ms < TARGET_100K_MS;
  const linearEnough = ratio <= TARGET_RATIO;

  console.log("");
  console.log(table(rows));
  console.log("");
  console.log(
    `peak RSS is the child process's maxRSS, including node + tsx (${rows[0]?.rss_start_mb.toFixed(1)} MB at start)`,
  );
  console.log(
    `10k → 100k (json) parse+validate ratio: ${ratio.toFixed(2)} (explain: ${explainRatio.toFixed(2)})`,
  );
  console.log(
    `target 100k parse+validate < ${TARGET_100K_MS} ms: ${fastEnough ? "met" : "NOT met"} (${at100k.parse_validate_median_ms.toFixed(1)} ms)`,
  );
  console.log(
    `target 10k → 100k ratio ≤ ${TARGET_RATIO}: ${linearEnough ? "met" : "NOT met"} (${ratio.toFixed(2)})`,
  );

  const report = {
    benchmark: "core",
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu_count: cpus.length,
    cpu_model: cpus[0]?.model ?? "unknown",
    total_memory_mb: Math.round(os.totalmem() / MB),
    seed: BENCH_SEED,
    units: { time: "ms", memory: "MiB (1024 × 1024 bytes)", file: "MiB" },
    cases: rows,
    ratio_10k_to_100k: { parse_validate: ratio, explain: explainRatio },
    targets: {
      parse_validate_100k_ms: {
        limit: TARGET_100K_MS,
        value: at100k.parse_validate_median_ms,
        met: fastEnough,
      },
      ratio_10k_to_100k: { limit: TARGET_RATIO, value: ratio, met: linearEnough },
    },
  };
  const out = path.join(RESULTS, "core.json");
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(ROOT, out)}`);
}

main();
