import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { SourceFormat } from "../src/core/blueprint/load.js";
import { type BlueprintCheck, checkBlueprintText } from "../src/core/check-blueprint.js";
import { CODES } from "../src/core/diagnostics/codes.js";

/*
 * Property-based robustness tests of the loader and validator: whatever text comes in, the
 * answer is a list of well-formed, coded diagnostics, never an exception.
 *
 * No fixed seed: every run explores new inputs. A failure prints fast-check's seed and path;
 * replay it with `fc.assert(..., { seed, path })`.
 */

const EXAMPLE_PATH = fileURLToPath(new URL("../examples/rename-column.yaml", import.meta.url));
const EXAMPLE_YAML = readFileSync(EXAMPLE_PATH, "utf8");
const EXAMPLE = parse(EXAMPLE_YAML) as Record<string, unknown>;
const EXAMPLE_JSON = JSON.stringify(EXAMPLE, null, 2);
const EXAMPLE_JSON_COMPACT = JSON.stringify(EXAMPLE);

const SEVERITIES = new Set(["error", "warning", "info"]);

type Options = { format?: SourceFormat; at?: Date };

/**
 * The invariants every answer of the loader and validator keeps, whatever the input. Plain checks
 * (`expect` per diagnostic is too slow for thousands of runs); the first broken one throws.
 */
function assertWellFormed(text: string, result: BlueprintCheck): void {
  const problems: string[] = [];
  if (!Array.isArray(result.diagnostics)) throw new Error("diagnostics is not an array");
  if (typeof result.valid !== "boolean") throw new Error("valid is not a boolean");
  let lines: string[] | undefined;
  for (const d of result.diagnostics) {
    const broken = (what: string) => problems.push(`${what}: ${JSON.stringify(d)}`);
    if (typeof d.code !== "string" || !/^MA\d{3}$/.test(d.code)) broken("code is not MAnnn");
    else if (!Object.hasOwn(CODES, d.code)) broken("code is not registered in CODES");
    else if (d.severity !== CODES[d.code].severity) broken("severity differs from the registry");
    if (!SEVERITIES.has(d.severity)) broken("severity is not error|warning|info");
    if (typeof d.message !== "string" || d.message.length === 0) broken("empty message");
    if (typeof d.hint !== "string" || d.hint.length === 0) broken("empty hint");
    if (!Array.isArray(d.path)) broken("path is not an array");
    else if (d.path.some((part) => typeof part !== "string" && typeof part !== "number")) {
      broken("path has a part that is neither string nor number");
    }
    // A diagnostic that points into the blueprint is located in the text it came from.
    if (Array.isArray(d.path) && d.path.length > 0 && (d.line === undefined || d.column === undefined)) {
      broken("a diagnostic with a path has no line or column");
    }
    if (d.line !== undefined || d.column !== undefined) {
      // Lines end at \r\n, \n or a lone \r, as in editors (and in the loader).
      lines ??= text.split(/\r\n|\r|\n/);
      const { line, column } = d;
      if (!Number.isInteger(line) || (line as number) < 1 || (line as number) > lines.length) {
        broken(`line outside the text's ${lines.length} lines`);
      } else {
        const length = (lines[(line as number) - 1] as string).length;
        if (!Number.isInteger(column) || (column as number) < 1 || (column as number) > length + 1) {
          broken(`column outside line ${line}, which has ${length} characters`);
        }
      }
    }
  }
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  if (!result.valid && errors === 0) problems.push("valid is false, but there is no error diagnostic");
  if (result.valid && errors > 0) problems.push("valid is true, but there are error diagnostics");
  if (problems.length) throw new Error(problems.join("\n"));
}

/** Loads and validates; an exception fails the property, which then shrinks the input. */
function checkAndAssert(text: string, options: Options): BlueprintCheck {
  const result = checkBlueprintText(text, options);
  assertWellFormed(text, result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// 1. Generated blueprints, valid-ish
// ---------------------------------------------------------------------------------------------

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

/** Values of the right shape for the schema: the validator proper gets to see the blueprint. */
const validIdArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "a",
      "b",
      "step-1",
      "app-db",
      "constructor",
      "toString",
      "hasOwnProperty",
      "valueOf",
      "0",
      "x.y:z",
    ),
  },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,6}$/) },
);

const validDurationArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("0", "0s", "500ms", "5m", "1h30m", "1.5s", "2d", "30s", "1h") },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.nat({ max: 5000 }), fc.constantFrom("ms", "s", "m", "h", "d"))
      .map(([n, unit]) => `${n}${unit}`),
  },
  // Durations the pattern accepts but that overflow: 1e20 days, and 1e400 days (Infinity ms).
  {
    weight: 1,
    arbitrary: fc.constantFrom("99999999999999999999d", `1${"0".repeat(400)}d`, "0.0000001ms", "1h1h1h1h"),
  },
);

const validFactorArb = fc.double({ min: 0, max: 1, noNaN: true });
const validActionArb = fc.constantFrom(
  "postgres.sql",
  "postgres.add_column",
  "postgres.rename_column",
  "shell.exec",
  "http.request",
  "kubernetes.set_image",
);
const paramsArb = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
const timeArb = fc
  .tuple(fc.nat({ max: 23 }), fc.nat({ max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);

/**
 * How far a generated blueprint strays. `tidy`: consistent (unique ids, edges only forward, declared
 * components, rollbacks of a valid form), so that valid blueprints come out and the schedule is
 * built. `clean`: every value has the schema's shape, but ids, edges (cycles, dangling ones),
 * rollbacks and constraints are thrown together, for the validator's checks. `dirty`: now and
 * then a value of the wrong shape or a missing field, for the schema diagnostics.
 */
type Mode = "tidy" | "clean" | "dirty";

function blueprintArbitrary(mode: Mode) {
  const tidy = mode === "tidy";
  const dirty = mode === "dirty";
  /** The valid arbitrary, or when dirty, now and then one of the invalid ones. */
  const sloppy = <T, U>(
    valid: fc.Arbitrary<T>,
    invalid: fc.Arbitrary<U>,
    weight = 40,
  ): fc.Arbitrary<T | U> =>
    dirty ? fc.oneof({ weight, arbitrary: valid }, { weight: 1, arbitrary: invalid }) : valid;
  /** When dirty, the field is left out now and then (stringify drops undefined). */
  const required = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
    sloppy(arb, fc.constant(undefined), 60);

  const idArb = sloppy(
    validIdArb,
    fc.oneof(
      fc.constantFrom("", "-bad", "has space", "é", "__proto__", "a".repeat(201)),
      fc.string({ maxLength: 4 }),
      fc.integer(),
      fc.constant(null),
    ),
    60,
  );
  const durationArb = sloppy(
    validDurationArb,
    fc.oneof(
      fc.constantFrom("5 minutes", "", "-1s", "1x", " 5m", "5M"),
      fc.integer(),
      fc.constant(null),
      fc.boolean(),
      fc.double(),
    ),
  );
  const factorArb = sloppy(
    validFactorArb,
    fc.oneof(fc.double(), fc.constant("high"), fc.constant(null), fc.integer({ min: -2, max: 3 })),
  );
  const actionArb = tidy
    ? fc.constantFrom("postgres.sql", "postgres.add_column", "postgres.rename_column")
    : sloppy(validActionArb, fc.oneof(fc.constantFrom("bad", "Postgres.X", "a.b.c", ""), fc.integer()), 60);
  const riskArb = fc.record(
    {
      complexity: factorArb,
      blast_radius: factorArb,
      reversibility_difficulty: factorArb,
      data_sensitivity: factorArb,
    },
    { requiredKeys: [] },
  );

  // Rollbacks of every form the schema accepts (the rollback checks judge the combination),
  // only the sound ones when tidy, and when dirty, forms the schema refuses.
  const soundRollbackArb = fc.oneof(
    fc.constant({ inverse: true }),
    fc.constant({ inverse: true, level: 1 }),
    fc.record({ action: actionArb, params: optional(paramsArb), level: optional(fc.constantFrom(0, 1)) }),
    fc.record({ manual: fc.string({ minLength: 1, maxLength: 20 }), level: fc.constant(2) }),
  );
  const rollbackArb: fc.Arbitrary<unknown> = tidy
    ? soundRollbackArb
    : sloppy(
        fc.oneof(
          soundRollbackArb,
          fc.constant(undefined),
          fc.constant({}),
          fc.record({
            manual: fc.string({ minLength: 1, maxLength: 20 }),
            level: optional(fc.constantFrom(0, 1, 2)),
          }),
          fc.record(
            {
              action: actionArb,
              params: paramsArb,
              inverse: fc.constant(true),
              manual: fc.string({ minLength: 1, maxLength: 8 }),
              level: fc.constantFrom(0, 1, 2),
            },
            { requiredKeys: [] },
          ),
        ),
        fc.oneof(
          fc.constantFrom(
            { inverse: false },
            { manual: "" },
            { level: 3 },
            null,
            "undo it",
            0,
            [],
            [{ inverse: true }],
          ),
          fc.record({ manual: fc.string({ maxLength: 4 }), level: fc.integer({ min: -1, max: 3 }) }),
        ),
        10,
      );

  /** A component reference: the declared app-db, or (not tidy) any id. */
  const componentRefArb = tidy
    ? fc.constant("app-db")
    : fc.oneof({ weight: 4, arbitrary: fc.constant("app-db") }, { weight: 1, arbitrary: idArb });

  const stepArb = fc.record({
    /** null: the generated id `s<index>`, unique. */
    id: tidy
      ? fc.constant(null)
      : fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: idArb }),
    name: required(sloppy(fc.string({ maxLength: 12 }), fc.integer())),
    description: optional(fc.string({ maxLength: 12 })),
    component: required(componentRefArb),
    action: required(actionArb),
    params: optional(paramsArb),
    rollback: rollbackArb,
    risk: optional(riskArb),
    estimated_duration: optional(durationArb),
    downtime: optional(durationArb),
  });

  const healthCheckArb = fc.record({
    id: tidy ? fc.constant(null) : idArb,
    type: sloppy(
      fc.constantFrom("connectivity", "data_integrity", "performance", "functional", "capacity"),
      fc.constant("bogus"),
    ),
    stage: sloppy(fc.constantFrom("pre", "intra", "post"), fc.constant("during")),
    component: componentRefArb,
    timeout: optional(durationArb),
  });

  const phaseArb = fc.record({
    id: tidy
      ? fc.constant(null)
      : fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: idArb }),
    name: required(fc.string({ maxLength: 12 })),
    pattern: optional(
      sloppy(
        fc.constantFrom("blue-green", "canary", "rolling", "shadow", "expand-contract"),
        fc.constant("big-bang"),
      ),
    ),
    steps: fc.array(stepArb, { maxLength: 5 }),
    rollback: optional(sloppy(fc.constant({ strategy: "reverse" }), fc.constant({ strategy: "forward" }))),
    health_checks: optional(fc.array(healthCheckArb, { maxLength: 2 })),
  });

  const componentArb = fc.record({
    id: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom("app-db", "cache", "constructor") },
      { weight: 1, arbitrary: idArb },
    ),
    kind: sloppy(fc.constantFrom("postgres", "shell", "http", "kubernetes"), fc.constantFrom("Bad Kind", 3)),
    connection: optional(fc.constantFrom("env:DATABASE_URL", "pglite:memory")),
  });
  const APP_DB = { id: "app-db", kind: "postgres", connection: "env:DATABASE_URL" };

  // Start, end and timezone are strings for the schema; the constraint check judges them (MA304).
  const windowTimeArb = tidy
    ? timeArb
    : fc.oneof(
        { weight: 6, arbitrary: timeArb },
        { weight: 1, arbitrary: fc.constantFrom("25:00", "2:00", "24:00", "12:60", "") },
        { weight: dirty ? 1 : 0, arbitrary: fc.constantFrom(200, null) },
      );
  const timezoneArb = tidy
    ? fc.constantFrom("UTC", "Europe/Paris", "America/New_York", "Etc/GMT+5")
    : fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom("UTC", "Europe/Paris", "America/New_York", "Etc/GMT+5") },
        { weight: 1, arbitrary: fc.constantFrom("Mars/Olympus", "", "utc") },
        { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
      );

  const constraintsArb = fc.record(
    {
      max_downtime: durationArb,
      maintenance_window: fc.oneof(
        fc.constant(null),
        fc.record(
          {
            start: windowTimeArb,
            end: windowTimeArb,
            timezone: timezoneArb,
            days: optional(
              fc.array(
                sloppy(
                  fc.constantFrom("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                  fc.constant("funday"),
                ),
                {
                  maxLength: 3,
                },
              ),
            ),
          },
          { requiredKeys: ["start", "end", "timezone"] },
        ),
      ),
      canary_percentage: tidy
        ? fc.integer({ min: 1, max: 100 })
        : sloppy(
            fc.oneof(fc.integer({ min: -5, max: 150 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
            fc.oneof(fc.double(), fc.constant("ten")),
          ),
      require_approval_above: factorArb,
      max_parallelism: sloppy(
        fc.integer({ min: 1, max: 6 }),
        fc.oneof(fc.integer({ min: -1, max: 0 }), fc.double()),
      ),
      lock_timeout: durationArb,
    },
    { requiredKeys: [] },
  );

  /** An edge between step indexes (taken modulo the number of steps), or to an id that may not exist. */
  const stepRefArb = tidy
    ? fc.nat()
    : fc.oneof({ weight: 8, arbitrary: fc.nat() }, { weight: 1, arbitrary: idArb });
  const edgeArb = fc.record({ from: stepRefArb, to: stepRefArb, risk: optional(factorArb) });

  return fc
    .record({
      id: required(idArb),
      version: required(sloppy(fc.constant("1.0"), fc.double())),
      created_at: required(
        sloppy(
          fc.constantFrom("2026-11-24T10:00:00Z", "2026-11-24T10:00:00+02:00"),
          fc.constantFrom("2026-11-24", "yesterday"),
        ),
      ),
      source: fc.array(componentArb, { maxLength: 2 }),
      target: fc.array(componentArb, { maxLength: 2 }),
      phases: fc.array(phaseArb, { minLength: dirty ? 0 : 1, maxLength: 3 }),
      edges: optional(fc.array(edgeArb, { maxLength: 8 })),
      /** Closes a cycle through the steps from..to (indexes), when set. */
      cycle: tidy ? fc.constant(undefined) : optional(fc.tuple(fc.nat(), fc.nat())),
      nodes: optional(fc.array(tidy ? fc.nat() : fc.oneof(fc.nat(), idArb), { maxLength: 3 })),
      strategy: optional(
        fc.record({
          type: sloppy(fc.constantFrom("cascading", "point-in-time", "selective"), fc.constant("nope")),
          checkpoints: optional(
            fc.array(fc.record({ after_phase: tidy ? fc.nat() : fc.oneof(fc.nat(), idArb) }), {
              maxLength: 3,
            }),
          ),
        }),
      ),
      constraints: optional(constraintsArb),
      metadata: optional(paramsArb),
    })
    .map((g) => {
      let stepCount = 0;
      let checkCount = 0;
      const phases = g.phases.map((phase, p) => ({
        ...phase,
        id: phase.id ?? `phase-${p}`,
        steps: phase.steps.map((step) => ({ ...step, id: step.id ?? `s${stepCount++}` })),
        health_checks: phase.health_checks?.map((c) => ({ ...c, id: c.id ?? `hc-${checkCount++}` })),
      }));
      const stepIds = phases.flatMap((phase) => phase.steps.map((s) => s.id));
      const phaseIds = phases.map((phase) => phase.id);
      const stepAt = (ref: unknown) =>
        typeof ref === "number" ? (stepIds.length ? stepIds[ref % stepIds.length] : `missing-${ref}`) : ref;
      let edges: Array<{ from: unknown; to: unknown; risk?: unknown }> | undefined;
      if (tidy) {
        // Forward only (an earlier step before a later one): no cycle, phases in order, no repeats.
        const seen = new Set<string>();
        edges = [];
        for (const e of g.edges ?? []) {
          if (stepIds.length < 2) break;
          const a = (e.from as number) % stepIds.length;
          const b = (e.to as number) % stepIds.length;
          if (a === b || seen.has(`${Math.min(a, b)}>${Math.max(a, b)}`)) continue;
          seen.add(`${Math.min(a, b)}>${Math.max(a, b)}`);
          edges.push({ from: stepIds[Math.min(a, b)], to: stepIds[Math.max(a, b)], risk: e.risk });
        }
      } else {
        edges = g.edges?.map((e) => ({ from: stepAt(e.from), to: stepAt(e.to), risk: e.risk }));
      }
      if (g.cycle && stepIds.length > 0) {
        const [a, b] = g.cycle.map((n) => n % stepIds.length) as [number, number];
        const ring = stepIds.slice(Math.min(a, b), Math.max(a, b) + 1);
        edges ??= [];
        for (const [i, from] of ring.entries()) edges.push({ from, to: ring[(i + 1) % ring.length] });
      }
      const nodes = g.nodes?.map((n) => ({ id: stepAt(n) }));
      const blueprint = {
        id: g.id,
        name: "generated",
        version: g.version,
        created_at: g.created_at,
        metadata: g.metadata,
        source_state: {
          components: tidy ? [APP_DB, ...g.source.filter((c) => c.id !== "app-db")] : g.source,
        },
        target_state: { components: g.target },
        phases,
        dependency_graph:
          edges || nodes
            ? {
                edges: edges ?? [],
                nodes: tidy
                  ? nodes?.filter((n) => n.id !== undefined && !String(n.id).startsWith("missing-"))
                  : nodes,
              }
            : undefined,
        rollback_strategy: g.strategy && {
          type: g.strategy.type,
          checkpoints: g.strategy.checkpoints?.map((c, i) => ({
            id: `cp-${i}`,
            after_phase:
              typeof c.after_phase === "number"
                ? (phaseIds[c.after_phase % Math.max(phaseIds.length, 1)] ?? "no-phase")
                : c.after_phase,
          })),
        },
        constraints: g.constraints,
      };
      return { blueprint };
    });
}

/** Every mode: tidy ones are often valid, clean ones reach the validator, dirty ones the schema. */
const blueprintArb = fc.oneof(
  { weight: 2, arbitrary: blueprintArbitrary("tidy") },
  { weight: 2, arbitrary: blueprintArbitrary("clean") },
  { weight: 1, arbitrary: blueprintArbitrary("dirty") },
);

/** An id for the mutations: valid or not. */
const idArb = fc.oneof(validIdArb, fc.constantFrom("", "has space", "__proto__"), fc.integer());

type Serialization = "yaml" | "json" | "json-compact";

function serialize(doc: unknown, how: Serialization): string {
  if (how === "yaml") return stringify(doc);
  return how === "json" ? JSON.stringify(doc, null, 2) : JSON.stringify(doc);
}

/** The serialization, and the format option the loader gets for it (undefined: detect). */
const serializationArb = fc.oneof(
  fc.record({
    how: fc.constant<Serialization>("yaml"),
    format: fc.constantFrom<SourceFormat | undefined>("yaml", undefined),
  }),
  fc.record({
    how: fc.constantFrom<Serialization>("json", "json-compact"),
    format: fc.constantFrom<SourceFormat | undefined>("json", undefined, "yaml"),
  }),
);

/** A planned start, sometimes: it turns on the maintenance-window schedule check (MA303). */
const atArb = optional(
  fc.date({
    min: new Date("2000-01-01T00:00:00Z"),
    max: new Date("2100-01-01T00:00:00Z"),
    noInvalidDate: true,
  }),
);

// ---------------------------------------------------------------------------------------------
// 2. Mutations of a known valid blueprint
// ---------------------------------------------------------------------------------------------

type DocPath = Array<string | number>;

/** Every path in a JSON-like value, containers and leaves, the root excluded. */
function pathsOf(value: unknown, prefix: DocPath = [], out: DocPath[] = []): DocPath[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([...prefix, i]);
      pathsOf(item, [...prefix, i], out);
    });
  } else if (value !== null && typeof value === "object") {
    for (const key of Object.keys(value)) {
      out.push([...prefix, key]);
      pathsOf((value as Record<string, unknown>)[key], [...prefix, key], out);
    }
  }
  return out;
}

function getAt(root: unknown, path: DocPath): unknown {
  let node = root;
  for (const part of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

/** Sets a key as an own, enumerable property, even `__proto__`. */
function setOwn(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

type Mutation =
  | { kind: "delete"; at: number }
  | { kind: "replace"; at: number; value: unknown }
  | { kind: "unknown-key"; at: number; key: string; value: unknown }
  | { kind: "duplicate-step-id"; a: number; b: number }
  | { kind: "dangling-edge"; from: number; missing: unknown; reversed: boolean }
  | { kind: "back-edge"; a: number; b: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("replace" as const),
    at: fc.nat(),
    value: fc.oneof(fc.anything({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 })),
  }),
  fc.record({
    kind: fc.constant("unknown-key" as const),
    at: fc.nat(),
    key: fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom("__proto__", "constructor", "prototype", "acton", "<<", "", "steps", "id"),
    ),
    value: fc.jsonValue({ maxDepth: 1 }),
  }),
  fc.record({ kind: fc.constant("duplicate-step-id" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({
    kind: fc.constant("dangling-edge" as const),
    from: fc.nat(),
    missing: idArb,
    reversed: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("back-edge" as const), a: fc.nat(), b: fc.nat() }),
);

function stepsOf(doc: unknown): Array<Record<string, unknown>> {
  const phases = getAt(doc, ["blueprint", "phases"]);
  if (!Array.isArray(phases)) return [];
  return phases.flatMap((phase) => {
    const steps = (phase as { steps?: unknown } | null)?.steps;
    return Array.isArray(steps) ? steps.filter((s) => s !== null && typeof s === "object") : [];
  });
}

function edgesOf(doc: Record<string, unknown>): unknown[] | undefined {
  const bp = doc.blueprint as Record<string, unknown> | null | undefined;
  if (bp === null || typeof bp !== "object") return undefined;
  let graph = bp.dependency_graph as Record<string, unknown> | null | undefined;
  if (graph === null || typeof graph !== "object") {
    graph = { edges: [] };
    bp.dependency_graph = graph;
  }
  if (!Array.isArray(graph.edges)) graph.edges = [];
  return graph.edges as unknown[];
}

function mutate(doc: Record<string, unknown>, m: Mutation): void {
  const paths = pathsOf(doc);
  switch (m.kind) {
    case "delete": {
      if (paths.length === 0) return;
      const path = paths[m.at % paths.length] as DocPath;
      const parent = getAt(doc, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
      const last = path[path.length - 1] as string | number;
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
      return;
    }
    case "replace": {
      if (paths.length === 0) return;
      const path = paths[m.at % paths.length] as DocPath;
      const parent = getAt(doc, path.slice(0, -1)) as Record<string | number, unknown>;
      setOwn(parent, path[path.length - 1] as string | number, m.value);
      return;
    }
    case "unknown-key": {
      const objects = [[], ...paths].filter((p) => {
        const v = getAt(doc, p);
        return v !== null && typeof v === "object" && !Array.isArray(v);
      });
      const target = getAt(doc, objects[m.at % objects.length] as DocPath) as object;
      setOwn(target, m.key, m.value);
      return;
    }
    case "duplicate-step-id": {
      const steps = stepsOf(doc);
      if (steps.length < 2) return;
      const a = steps[m.a % steps.length] as Record<string, unknown>;
      const b = steps[m.b % steps.length] as Record<string, unknown>;
      b.id = a.id;
      return;
    }
    case "dangling-edge": {
      const steps = stepsOf(doc);
      const edges = edgesOf(doc);
      if (!edges) return;
      const existing = steps.length ? steps[m.from % steps.length]?.id : "nothing";
      const missing = `missing-${String(m.missing)}`;
      edges.push(m.reversed ? { from: missing, to: existing } : { from: existing, to: missing });
      return;
    }
    case "back-edge": {
      const steps = stepsOf(doc);
      const edges = edgesOf(doc);
      if (!edges || steps.length === 0) return;
      edges.push({ from: steps[m.a % steps.length]?.id, to: steps[m.b % steps.length]?.id });
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Text-level mutations and random strings
// ---------------------------------------------------------------------------------------------

const snippetArb = fc.oneof(
  fc.constantFrom(
    ":",
    ": ",
    "- ",
    "\n",
    "  ",
    "\t",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&x ",
    "*x",
    "!!binary ",
    "!!str ",
    "#",
    "'",
    '"',
    "? ",
    "<<: ",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "\r\n",
    "\r",
    "\u0000",
    "\uFEFF",
    "\ud800",
    "|",
    ">-",
    "null",
    "~",
    "1e400",
    "\\",
  ),
  fc.string({ maxLength: 4 }),
  fc.string({ unit: "binary", maxLength: 3 }),
);

type TextEdit =
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number; length: number }
  | { kind: "truncate"; at: number }
  | { kind: "replace"; at: number; text: string }
  | { kind: "dup-line"; at: number }
  | { kind: "drop-line"; at: number }
  | { kind: "indent"; at: number; by: number };

const textEditArb: fc.Arbitrary<TextEdit> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: snippetArb }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("delete" as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 20 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), text: snippetArb }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("dup-line" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop-line" as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("indent" as const),
      at: fc.nat(),
      by: fc.integer({ min: -3, max: 3 }),
    }),
  },
);

function applyEdit(text: string, e: TextEdit): string {
  const at = e.at % (text.length + 1);
  switch (e.kind) {
    case "insert":
      return text.slice(0, at) + e.text + text.slice(at);
    case "delete":
      return text.slice(0, at) + text.slice(at + e.length);
    case "truncate":
      return text.slice(0, at);
    case "replace":
      return text.slice(0, at) + e.text + text.slice(at + 1);
    default: {
      const lines = text.split("\n");
      const i = e.at % lines.length;
      const line = lines[i] as string;
      if (e.kind === "dup-line") lines.splice(i, 0, line);
      else if (e.kind === "drop-line") lines.splice(i, 1);
      else lines[i] = e.by >= 0 ? " ".repeat(e.by) + line : line.replace(new RegExp(`^ {0,${-e.by}}`), "");
      return lines.join("\n");
    }
  }
}

const YAML_TOKENS = [
  "blueprint:",
  "\n",
  "  ",
  "- ",
  "{",
  "}",
  "[",
  "]",
  ": ",
  ", ",
  "&a ",
  "*a",
  "!!map ",
  "? ",
  "|\n",
  "'",
  '"',
  "#c",
  "---\n",
  "id",
  "steps",
  "phases",
  "edges",
  "from",
  "to",
  "a",
  "0s",
  "1.5",
  "null",
  "true",
  "<<: ",
];

const randomTextArb = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: "grapheme", maxLength: 100 }),
  fc.string({ unit: "binary-ascii", maxLength: 200 }),
  fc.string({ maxLength: 100 }).map((s) => `blueprint:${s}`),
  fc.string({ maxLength: 100 }).map((s) => `blueprint:\n  ${s}`),
  fc.string({ maxLength: 100 }).map((s) => `{${s}`),
  fc.string({ maxLength: 100 }).map((s) => `{"blueprint": ${s}`),
  fc.array(fc.constantFrom(...YAML_TOKENS), { maxLength: 60 }).map((t) => t.join("")),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ""),
  fc.jsonValue({ maxDepth: 3 }).map((v) => stringify({ blueprint: v })),
);

const anyFormatArb = fc.constantFrom<SourceFormat | undefined>("yaml", "json", undefined);

// ---------------------------------------------------------------------------------------------

/**
 * Each property stops after 10 s, passing with the runs done so far, or, when it has failed,
 * with the smallest counterexample shrunk so far: shrinking a generated blueprint can otherwise
 * take minutes. On a 2-core machine every property completes its runs in well under 10 s.
 */
const LIMITS = { interruptAfterTimeLimit: 10_000 };

describe("the loader and validator on generated input", () => {
  it("generated blueprints (YAML and JSON) get well-formed, located diagnostics", () => {
    fc.assert(
      fc.property(blueprintArb, serializationArb, atArb, (doc, { how, format }, at) => {
        const text = serialize(doc, how);
        checkAndAssert(text, { format, at });
      }),
      { numRuns: 2000, ...LIMITS },
    );
  });

  it("mutations of a valid blueprint get well-formed, located diagnostics", () => {
    fc.assert(
      fc.property(
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        serializationArb,
        (mutations, { how, format }) => {
          const doc = structuredClone(EXAMPLE);
          for (const m of mutations) mutate(doc, m);
          const text = serialize(doc, how);
          checkAndAssert(text, { format });
        },
      ),
      { numRuns: 2000, ...LIMITS },
    );
  });

  it("text-level mutations of YAML and JSON texts (the example, generated blueprints) get well-formed, located diagnostics", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          {
            weight: 3,
            arbitrary: fc.constantFrom<{ text: string; format: SourceFormat }>(
              { text: EXAMPLE_YAML, format: "yaml" },
              { text: EXAMPLE_JSON, format: "json" },
              { text: EXAMPLE_JSON_COMPACT, format: "json" },
            ),
          },
          {
            weight: 1,
            arbitrary: fc
              .tuple(blueprintArb, fc.constantFrom<Serialization>("yaml", "json", "json-compact"))
              .map(([doc, how]) => ({
                text: serialize(doc, how),
                format: (how === "yaml" ? "yaml" : "json") as SourceFormat,
              })),
          },
        ),
        fc.array(textEditArb, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (source, edits, forced) => {
          let text = source.text;
          for (const e of edits) text = applyEdit(text, e);
          checkAndAssert(text, { format: forced ? source.format : undefined });
        },
      ),
      { numRuns: 2000, ...LIMITS },
    );
  });

  it("random strings get well-formed diagnostics, never an exception", () => {
    fc.assert(
      fc.property(randomTextArb, anyFormatArb, (text, format) => {
        checkAndAssert(text, { format });
      }),
      { numRuns: 2000, ...LIMITS },
    );
  });

  it("the unmutated example is valid in both YAML and JSON", () => {
    for (const [text, format] of [
      [EXAMPLE_YAML, "yaml"],
      [EXAMPLE_JSON, "json"],
    ] as const) {
      const result = checkAndAssert(text, { format });
      expect(result.valid, JSON.stringify(result.diagnostics)).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Deterministic hostile inputs
// ---------------------------------------------------------------------------------------------

const HEADER = `blueprint:
  id: bp-hostile
  name: hostile
  version: "1.0"
  created_at: "2026-11-24T10:00:00Z"
`;

function cycleYaml(n: number): string {
  const out = [
    HEADER,
    "  source_state:\n    components:\n      - { id: app-db, kind: postgres }\n",
    "  target_state:\n    components: []\n",
    "  phases:\n    - id: p1\n      name: one\n      steps:\n",
  ];
  for (let i = 0; i < n; i++) {
    out.push(
      `        - { id: step-${i}, name: s, component: app-db, action: postgres.sql, params: { sql: "SELECT 1" }, rollback: { action: postgres.sql, params: { sql: "SELECT 1" } } }\n`,
    );
  }
  out.push("  dependency_graph:\n    edges:\n");
  for (let i = 0; i < n; i++) out.push(`      - { from: step-${i}, to: step-${(i + 1) % n} }\n`);
  return out.join("");
}

/** The classic "billion laughs": nine levels of nine aliases each, 9^9 strings once expanded. */
function billionLaughs(): string {
  const lines = [HEADER, "  metadata:\n", `    l0: &l0 [${Array(9).fill('"lol"').join(", ")}]\n`];
  for (let level = 1; level <= 9; level++) {
    lines.push(
      `    l${level}: &l${level} [${Array(9)
        .fill(`*l${level - 1}`)
        .join(", ")}]\n`,
    );
  }
  return lines.join("");
}

const CHECK_MODULE = fileURLToPath(new URL("../src/core/check-blueprint.ts", import.meta.url));

/**
 * Checks `prefix` + `depth` nested flow sequences in a child process, `repeat` times. Deep
 * recursion can end in a fatal V8 error (not an exception) that takes the whole process down; a
 * child keeps it from killing the test worker and lets the test report it.
 */
function checkNestedInChild(prefix: string, depth: number, repeat: number) {
  const script = `
    const { checkBlueprintText } = await import(process.env.CHECK_MODULE);
    const depth = ${depth};
    const text = ${JSON.stringify(prefix)} + "[".repeat(depth) + "]".repeat(depth);
    let codes = [];
    for (let i = 0; i < ${repeat}; i++) {
      codes = checkBlueprintText(text, { format: "yaml" }).diagnostics.map((d) => d.code);
    }
    process.stdout.write(JSON.stringify(codes));
  `;
  return spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    env: { ...process.env, CHECK_MODULE },
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("hostile documents end with a coded diagnostic, not an exception", () => {
  it("a 10,000-step cycle gets exactly one MA103 naming it in order", () => {
    const n = 10_000;
    const text = cycleYaml(n);
    const result = checkAndAssert(text, { format: "yaml" });
    const cycles = result.diagnostics.filter((d) => d.code === "MA103");
    expect(cycles).toHaveLength(1);
    const message = cycles[0]?.message ?? "";
    expect(message).toContain("step-0 → step-1 →");
    expect(message.endsWith("→ step-0")).toBe(true);
    expect(message).toContain(`step-${n - 1} → step-0`);
    expect(result.valid).toBe(false);
  });

  // The yaml parser recurses once per nesting level and turns the RangeError it hits into a
  // syntax error. But V8 may be compiling a regular expression (a tier-up) at the moment the stack
  // runs out, and that is a fatal error that kills the process instead. The checks run in a child
  // process, again and again, so that such a crash fails this test rather than the test worker.
  it.each([
    ["under `blueprint`", "blueprint: "],
    ["at the top level", ""],
  ])("5,000 nested YAML flow sequences %s give MA001, even checked 30 times in one process", (_, prefix) => {
    const child = checkNestedInChild(prefix, 5000, 30);
    const fatal = child.stderr
      .split("\n")
      .filter((l) => /FATAL|Error/.test(l))
      .join("\n");
    expect({ status: child.status, signal: child.signal }, fatal).toEqual({ status: 0, signal: null });
    expect(JSON.parse(child.stdout)).toEqual(["MA001"]);
  });

  it.each([5_000, 50_000])(
    "%i nested JSON arrays under `blueprint` are refused before parsing (MA001)",
    (depth) => {
      const text = `{"blueprint": ${"[".repeat(depth)}${"]".repeat(depth)}}`;
      const result = checkAndAssert(text, { format: "json" });
      expect(result.valid).toBe(false);
      expect(result.diagnostics.map((d) => d.code)).toEqual(["MA001"]);
      expect(result.diagnostics[0]?.message).toContain("nests deeper than 256 levels");
    },
  );

  it("200 nested JSON arrays under `blueprint` are parsed and get MA004", () => {
    const text = `{"blueprint": ${"[".repeat(200)}${"]".repeat(200)}}`;
    const result = checkAndAssert(text, { format: "json" });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["MA004"]);
  });

  it("a YAML alias bomb (billion laughs) gives MA001", () => {
    const result = checkAndAssert(billionLaughs(), { format: "yaml" });
    expect(result.valid).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toContain("MA001");
  });
});

// ---------------------------------------------------------------------------------------------
// The smallest counterexamples the properties above have found, kept as examples
// ---------------------------------------------------------------------------------------------

/** A blueprint with one phase of bare steps, and edges between them. */
function graphYaml(stepIds: readonly string[], edges: ReadonlyArray<readonly [string, string]>): string {
  return `${HEADER}  source_state: { components: [{ id: db, kind: postgres }] }
  target_state: { components: [] }
  phases:
    - id: p
      name: p
      steps:
${stepIds.map((id) => `        - { id: ${id}, name: s, component: db, action: postgres.sql, rollback: { inverse: true } }`).join("\n")}
  dependency_graph:
    edges: [${edges.map(([from, to]) => `{ from: ${from}, to: ${to} }`).join(", ")}]
`;
}

describe("counterexamples found by the properties", () => {
  it.each(["toString", "constructor", "valueOf", "hasOwnProperty"])(
    "a step whose id is %s (an Object.prototype name) can be the target of an edge",
    (id) => {
      const result = checkAndAssert(graphYaml(["a", id], [["a", id]]), { format: "yaml" });
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    },
  );

  it("a YAML syntax error after an error token that spans a line break is placed on its own line", () => {
    // The ':' is at offset 6: line 3, column 2.
    const text = "-\n?]\n]:";
    const result = checkAndAssert(text, { format: "yaml" });
    expect(result.diagnostics.every((d) => d.code === "MA001")).toBe(true);
  });

  it("a planned start and a step that starts after an overlong one do not throw", () => {
    // 10^20 days put the second step's start past the last date a Date can hold.
    const text = `${HEADER}  source_state: { components: [{ id: db, kind: postgres }] }
  target_state: { components: [] }
  phases:
    - id: p
      name: p
      steps:
        - { id: a, name: a, component: db, action: postgres.sql, rollback: { inverse: true }, estimated_duration: 99999999999999999999d }
        - { id: b, name: b, component: db, action: postgres.sql, rollback: { inverse: true }, downtime: 1ms }
  dependency_graph:
    edges: [{ from: a, to: b }]
  constraints:
    maintenance_window: { start: "00:00", end: "01:00", timezone: UTC }
`;
    checkAndAssert(text, { format: "yaml" });
    checkAndAssert(text, { format: "yaml", at: new Date("2026-11-25T00:00:00Z") });
  });
});
