/**
 * One measurement of the core benchmark, run in a fresh process by `core.bench.ts` so that its
 * peak RSS belongs to this blueprint alone:
 *
 *   node --expose-gc --import tsx bench/core-one.ts <steps> [json|yaml] [repeats]
 *
 * It reads bench/tmp/core-<steps>.<format>, which `core.bench.ts` writes before starting it. Run
 * alone (to profile: `node --cpu-prof --import tsx bench/core-one.ts 100000`), it generates the
 * file first when it is missing; then its peak RSS includes the generation (`generated: true`).
 *
 * Each repetition reads the file, parses and validates it (`checkBlueprintText`), then explains
 * it (`explainBlueprint`), timed separately. Throws — exit code 1 — when the blueprint is not
 * valid. Prints one JSON line: the times of every repetition and the memory figures.
 */
import { existsSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { checkBlueprintText } from "../src/core/check-blueprint.js";
import { explainBlueprint } from "../src/core/explain.js";
import { benchBlueprintPath, writeBenchBlueprint } from "./generate-blueprint.js";

export interface CoreOneResult {
  file: string;
  format: "json" | "yaml";
  steps: number;
  repeats: number;
  /** True when this process generated the file itself (run alone): its peak RSS includes that. */
  generated: boolean;
  /** read + parse + validate, ms, per repetition */
  parse_validate_ms: number[];
  /** explainBlueprint, ms, per repetition */
  explain_ms: number[];
  diagnostics: { errors: number; warnings: number; infos: number };
  /** Resident set size when the process started measuring (node + tsx + the core's modules). */
  rss_start_mb: number;
  /** process.resourceUsage().maxRSS at the end: the process's peak resident set. */
  peak_rss_mb: number;
  /**
   * Largest heapUsed right after a repetition (check + explain), before its garbage is collected:
   * a lower bound of the peak heap, which maxRSS bounds from above.
   */
  heap_used_after_run_mb: number;
  /** heapUsed after a full GC with the last check and explanation still alive, minus the start. */
  retained_heap_mb: number;
  /** heapUsed after a full GC at the start. */
  heap_start_mb: number;
}

const MB = 1024 * 1024;
const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {});

/**
 * The last repetition's results, kept alive until the retained heap has been measured. Held here
 * rather than in a local of the loop: a local's slot keeps the previous repetition's blueprint
 * alive during the next one, which would double the peak memory.
 */
let kept: unknown;

interface Repetition {
  parseValidateMs: number;
  explainMs: number;
  heapUsed: number;
  diagnostics: CoreOneResult["diagnostics"];
}

/** One repetition, in a function of its own so that nothing of it outlives it but `kept`. */
function repeatOnce(file: string, format: "json" | "yaml", steps: number): Repetition {
  const t0 = performance.now();
  const text = readFileSync(file, "utf8");
  const check = checkBlueprintText(text, { format });
  const t1 = performance.now();

  const errors = check.diagnostics.filter((d) => d.severity === "error");
  if (!check.valid || errors.length > 0 || !check.analysis) {
    const shown = errors
      .slice(0, 10)
      .map((d) => `  ${d.code} ${d.line ?? "?"}:${d.column ?? "?"} ${d.message}`)
      .join("\n");
    throw new Error(`${file}: the generated blueprint is not valid (${errors.length} errors)\n${shown}`);
  }
  if (check.analysis.steps.length !== steps) {
    throw new Error(`${file}: expected ${steps} steps, validated ${check.analysis.steps.length}`);
  }

  const t2 = performance.now();
  const explanation = explainBlueprint(check.analysis);
  const t3 = performance.now();
  if (!explanation || explanation.steps.length !== steps) {
    throw new Error(
      `${file}: explainBlueprint gave ${explanation?.steps.length ?? "no"} steps, not ${steps}`,
    );
  }

  const heapUsed = process.memoryUsage().heapUsed;
  kept = { check, explanation };
  return {
    parseValidateMs: t1 - t0,
    explainMs: t3 - t2,
    heapUsed,
    diagnostics: {
      errors: errors.length,
      warnings: check.diagnostics.filter((d) => d.severity === "warning").length,
      infos: check.diagnostics.filter((d) => d.severity === "info").length,
    },
  };
}

function main(): void {
  const [stepsArg, format = "json", repeatsArg = "1"] = process.argv.slice(2);
  const steps = Number(stepsArg);
  const repeats = Number(repeatsArg);
  if (!Number.isInteger(steps) || steps < 1 || (format !== "json" && format !== "yaml") || !(repeats >= 1)) {
    throw new Error("usage: core-one.ts <steps> [json|yaml] [repeats]");
  }
  const file = benchBlueprintPath(steps, format);
  const generated = !existsSync(file);
  if (generated) writeBenchBlueprint(steps, format);

  gc();
  const rssStart = process.memoryUsage().rss;
  const heapStart = process.memoryUsage().heapUsed;
  const runs: Repetition[] = [];
  for (let r = 0; r < repeats; r++) {
    kept = undefined;
    gc();
    runs.push(repeatOnce(file, format, steps));
  }
  gc();
  const retained = process.memoryUsage().heapUsed - heapStart;
  if (kept === undefined) throw new Error("no repetition ran");

  const result: CoreOneResult = {
    file,
    format,
    steps,
    repeats,
    generated,
    parse_validate_ms: runs.map((r) => round(r.parseValidateMs)),
    explain_ms: runs.map((r) => round(r.explainMs)),
    diagnostics: (runs[runs.length - 1] as Repetition).diagnostics,
    rss_start_mb: round(rssStart / MB),
    // maxRSS is in kilobytes.
    peak_rss_mb: round((process.resourceUsage().maxRSS * 1024) / MB),
    heap_used_after_run_mb: round(Math.max(...runs.map((r) => r.heapUsed)) / MB),
    retained_heap_mb: round(retained / MB),
    heap_start_mb: round(heapStart / MB),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

main();
