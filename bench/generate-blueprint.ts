/**
 * A deterministic generator of large, valid blueprints for the benchmarks: the same (steps, seed)
 * always gives the same document, byte for byte once stringified. No Math.random.
 *
 * Shape: `max(5, steps / 2000)` phases holding contiguous runs of steps; about 3 edges per step,
 * always from a step listed earlier to one listed later (so the graph is acyclic and every edge
 * between phases points from an earlier phase to a later one); one postgres component `app-db`;
 * every step reversible with `{ inverse: true }` and without downtime.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { stringify as stringifyYaml } from "yaml";

/** mulberry32: a small, fast, seeded 32-bit PRNG. Returns floats in [0, 1). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedStep {
  id: string;
  name: string;
  component: string;
  action: string;
  params: Record<string, unknown>;
  rollback: { inverse: true };
  risk?: Record<string, number>;
  estimated_duration: string;
  downtime: string;
}

export interface GeneratedBlueprintDocument {
  blueprint: {
    id: string;
    name: string;
    version: string;
    created_at: string;
    request: string;
    metadata: Record<string, unknown>;
    source_state: { description: string; components: Record<string, string>[] };
    target_state: { description: string; components: Record<string, string>[] };
    phases: {
      id: string;
      name: string;
      pattern: string;
      steps: GeneratedStep[];
      health_checks: Record<string, unknown>[];
    }[];
    dependency_graph: { edges: { from: string; to: string }[] };
    rollback_strategy: { type: string; checkpoints: { id: string; after_phase: string }[] };
    constraints: { max_downtime: string; require_approval_above: number };
  };
}

const COMPONENT = "app-db";
const ACTIONS = ["postgres.add_column", "postgres.create_index", "postgres.backfill"] as const;
const TYPES = ["text", "bigint", "integer", "boolean", "timestamptz", "jsonb", "numeric(12,2)"] as const;
const DURATIONS = ["500ms", "1s", "2s", "5s", "10s", "30s", "1m", "2m30s"] as const;

/** Edges per step (except the first few, which have fewer earlier steps to depend on). */
const EDGES_PER_STEP = 3;
/** Most dependencies are on recent steps; the rest reach anywhere earlier (often another phase). */
const LOCAL_WINDOW = 64;
const LOCAL_SHARE = 0.9;

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * Generates a valid blueprint document with `steps` steps.
 *
 * @example JSON.stringify(generateBlueprint(10_000, 42))
 */
export function generateBlueprint(steps: number, seed = 1): GeneratedBlueprintDocument {
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`steps must be a positive integer, got ${steps}`);
  const random = createRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

  const width = String(steps - 1).length;
  const stepId = (i: number) => `step-${pad(i, width)}`;
  const phaseCount = Math.max(5, Math.floor(steps / 2000));
  const tableCount = Math.max(10, Math.ceil(steps / 100));
  const phases: GeneratedBlueprintDocument["blueprint"]["phases"] = [];

  let next = 0;
  for (let p = 0; p < phaseCount; p++) {
    // Contiguous runs, as even as possible; a phase may be empty only when steps < phaseCount.
    const end = Math.round(((p + 1) * steps) / phaseCount);
    const phaseId = `phase-${pad(p, String(phaseCount - 1).length)}`;
    const phaseSteps: GeneratedStep[] = [];
    for (; next < end; next++) phaseSteps.push(makeStep(next));
    phases.push({
      id: phaseId,
      name: `Phase ${p + 1} of ${phaseCount}`,
      pattern: "expand-contract",
      steps: phaseSteps,
      health_checks: [
        {
          id: `${phaseId}-db-up`,
          type: "connectivity",
          stage: p === 0 ? "pre" : "intra",
          component: COMPONENT,
        },
      ],
    });
  }

  const edges: { from: string; to: string }[] = [];
  const chosen = new Set<number>();
  for (let to = 1; to < steps; to++) {
    chosen.clear();
    const wanted = Math.min(EDGES_PER_STEP, to);
    while (chosen.size < wanted) {
      const from =
        random() < LOCAL_SHARE
          ? to - 1 - Math.floor(random() * Math.min(LOCAL_WINDOW, to))
          : Math.floor(random() * to);
      chosen.add(from);
    }
    for (const from of [...chosen].sort((a, b) => a - b)) edges.push({ from: stepId(from), to: stepId(to) });
  }

  const component = { id: COMPONENT, kind: "postgres", connection: "env:DATABASE_URL" };
  const firstPhase = phases[0]?.id as string;
  const middlePhase = phases[Math.floor(phaseCount / 2)]?.id as string;

  return {
    blueprint: {
      id: `bp-bench-${steps}-${seed}`,
      name: `Benchmark blueprint: ${steps} steps`,
      version: "1.0",
      created_at: "2026-11-24T10:00:00Z",
      request: `generated blueprint with ${steps} steps (seed ${seed}) for the core benchmark`,
      metadata: { generator: "bench/generate-blueprint.ts", steps, seed },
      source_state: { description: "The database before the migration", components: [{ ...component }] },
      target_state: { description: "The database after the migration", components: [{ ...component }] },
      phases,
      dependency_graph: { edges },
      rollback_strategy: {
        type: "cascading",
        checkpoints: [
          { id: "cp-first", after_phase: firstPhase },
          { id: "cp-middle", after_phase: middlePhase },
        ],
      },
      constraints: { max_downtime: "0s", require_approval_above: 0.7 },
    },
  };

  function makeStep(i: number): GeneratedStep {
    const action = pick(ACTIONS);
    const table = `table_${pad(Math.floor(random() * tableCount), 5)}`;
    const column = `col_${pad(i, width)}`;
    let params: Record<string, unknown>;
    let name: string;
    if (action === "postgres.add_column") {
      params = { table, column, type: pick(TYPES), nullable: true };
      name = `Add ${table}.${column}`;
    } else if (action === "postgres.create_index") {
      params = { table, columns: [column], name: `${table}_${column}_idx`, concurrently: true };
      name = `Index ${table}(${column}) concurrently`;
    } else {
      params = {
        table,
        column,
        sql: `UPDATE ${table} SET ${column} = DEFAULT WHERE ${column} IS NULL`,
        batch_size: 1000 * (1 + Math.floor(random() * 10)),
      };
      name = `Backfill ${table}.${column} in batches`;
    }
    const step: GeneratedStep = {
      id: stepId(i),
      name,
      component: COMPONENT,
      action,
      params,
      rollback: { inverse: true },
      estimated_duration: pick(DURATIONS),
      downtime: "0s",
    };
    // About 1 step in 10 writes risk factors, at or above the conservative 0.5 (a lower one would
    // only be noted, MA402); 1 in 10 of those is high enough to need an approval (an info, MA401).
    const r = random();
    if (r < 0.01) {
      step.risk = {
        complexity: 0.9,
        blast_radius: 0.9,
        reversibility_difficulty: 0.8,
        data_sensitivity: 0.8,
      };
    } else if (r < 0.1) {
      step.risk = { complexity: 0.6, blast_radius: Math.round((0.5 + random() * 0.2) * 100) / 100 };
    }
    return step;
  }
}

/** The seed every benchmark uses, so that every run measures the same documents. */
export const BENCH_SEED = 20261124;

/** Where the benchmark keeps a generated blueprint: bench/tmp/ (gitignored). */
export function benchBlueprintPath(steps: number, format: "json" | "yaml"): string {
  return fileURLToPath(new URL(`./tmp/core-${steps}.${format}`, import.meta.url));
}

/**
 * Generates a blueprint and writes it as JSON (compact, as a machine would write it) or YAML to
 * `benchBlueprintPath`. Returns the path, the size in bytes and the time each stage took.
 */
export function writeBenchBlueprint(
  steps: number,
  format: "json" | "yaml",
  seed = BENCH_SEED,
): { file: string; bytes: number; generateMs: number; serializeMs: number } {
  const t0 = performance.now();
  const doc = generateBlueprint(steps, seed);
  const t1 = performance.now();
  const text = format === "json" ? JSON.stringify(doc) : stringifyYaml(doc, { lineWidth: 0 });
  const t2 = performance.now();
  const file = benchBlueprintPath(steps, format);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return { file, bytes: Buffer.byteLength(text), generateMs: t1 - t0, serializeMs: t2 - t1 };
}
