import { describe, expect, it } from "vitest";
import { z } from "zod";
import { blueprint, step } from "../../test/support/blueprints.js";
import { createCatalog } from "./catalog/catalog.js";
import { validateBlueprint } from "./validate.js";

/** The codes found, leaving out MA502 (no adapter is part of these tests' build). */
const codes = (bp: Parameters<typeof validateBlueprint>[0], options = {}) =>
  validateBlueprint(bp, options)
    .diagnostics.map((d) => d.code)
    .filter((c) => c !== "MA502");

describe("graph", () => {
  it("reports duplicate step ids", () => {
    const result = validateBlueprint(blueprint({ p1: [step("a"), step("a")] }));
    const dup = result.diagnostics.find((d) => d.code === "MA101");
    expect(dup?.path).toEqual(["blueprint", "phases", 0, "steps", 1, "id"]);
    expect(result.valid).toBe(false);
  });

  it("reports edges to steps that do not exist, at the end that is wrong", () => {
    const result = validateBlueprint(blueprint({ p1: [step("a")] }, ["a>ghost"]));
    const d = result.diagnostics.find((x) => x.code === "MA102");
    expect(d?.path).toEqual(["blueprint", "dependency_graph", "edges", 0, "to"]);
    expect(d?.message).toContain("'ghost'");
  });

  it("names a cycle in order and points at the edge that closes it", () => {
    const result = validateBlueprint(
      blueprint({ p1: [step("a"), step("b"), step("c")] }, ["a>b", "b>c", "c>a"]),
    );
    const d = result.diagnostics.find((x) => x.code === "MA103");
    expect(d?.message).toContain("a → b → c → a");
    expect(d?.path).toEqual(["blueprint", "dependency_graph", "edges", 2]);
    expect(result.analysis.schedule).toBeUndefined();
  });

  it("warns about a repeated edge and keeps going", () => {
    expect(codes(blueprint({ p1: [step("a"), step("b")] }, ["a>b", "a>b"]))).toEqual(["MA105"]);
  });

  it("rejects dependency_graph.nodes that name no step", () => {
    const bp = blueprint({ p1: [step("a")] });
    bp.dependency_graph = { nodes: [{ id: "a" }, { id: "zzz" }], edges: [] };
    expect(codes(bp)).toEqual(["MA106"]);
  });

  it("rejects a step on an undeclared component, and an action of another adapter kind", () => {
    const bp = blueprint({ p1: [step("a", { component: "nope" }), step("b", { action: "shell.exec" })] });
    const cs = codes(bp);
    expect(cs).toContain("MA107");
    expect(cs).toContain("MA504");
  });
});

describe("phases and schedule", () => {
  it("orders phases by their steps' edges, ties by list order", () => {
    // p2 lists first but depends on p3; p1 is independent and listed between them.
    const bp = blueprint({ p2: [step("x")], p1: [step("y")], p3: [step("z")] }, ["z>x"]);
    const { analysis } = validateBlueprint(bp);
    const order = analysis.schedule?.phases.map((p) => bp.phases[p.phaseIndex]?.id);
    expect(order).toEqual(["p1", "p3", "p2"]);
  });

  it("reports a cycle among phases", () => {
    const bp = blueprint({ p1: [step("a"), step("d")], p2: [step("b"), step("c")] }, ["a>b", "c>d"]);
    const d = validateBlueprint(bp).diagnostics.find((x) => x.code === "MA104");
    expect(d?.message).toContain("p1 → p2 → p1");
  });

  it("groups a phase's steps by topological level", () => {
    const bp = blueprint({ p1: [step("a"), step("b"), step("c"), step("d")] }, ["a>c", "b>c", "c>d"]);
    const { analysis } = validateBlueprint(bp);
    const ids = analysis.schedule?.phases[0]?.groups.map((g) => g.map((i) => analysis.steps[i]?.step.id));
    expect(ids).toEqual([["a", "b"], ["c"], ["d"]]);
  });

  it("finds the critical path by estimated_duration across phases, with its length", () => {
    const bp = blueprint(
      {
        p1: [step("fast", { estimated_duration: "1s" }), step("slow", { estimated_duration: "10s" })],
        p2: [step("after", { estimated_duration: "2s" }), step("tail", { estimated_duration: "500ms" })],
      },
      ["fast>after", "after>tail"],
    );
    const { analysis } = validateBlueprint(bp);
    const path = analysis.schedule?.criticalPath;
    expect(path?.steps.map((i) => analysis.steps[i]?.step.id)).toEqual(["slow", "after", "tail"]);
    expect(path?.totalMs).toBe(12_500);
    // a step's start: its phase's start plus its predecessors inside the phase
    expect(analysis.schedule?.startMs[3]).toBe(12_000);
  });

  it("gives an edge the risk of its `from` step unless the edge says otherwise", () => {
    const bp = blueprint({ p1: [step("a", { risk: { complexity: 1 } }), step("b"), step("c")] }, [
      "a>b",
      "b>c",
    ]);
    bp.dependency_graph?.edges.push({ from: "a", to: "c", risk: 0.1 });
    const { analysis } = validateBlueprint(bp);
    expect(analysis.edgeRisks).toEqual([0.65, 0.5, 0.1]);
  });
});

describe("risk and approvals", () => {
  const catalog = createCatalog([
    {
      name: "postgres.drop_column",
      params: z.object({ table: z.string(), column: z.string() }),
      risk: () => ({
        complexity: 0.6,
        blast_radius: 0.8,
        reversibility_difficulty: 0.9,
        data_sensitivity: 0.7,
      }),
      hasInverse: () => true,
    },
    {
      name: "postgres.sql",
      params: z.object({ sql: z.string() }),
      risk: () => ({
        complexity: 0.8,
        blast_radius: 0.5,
        reversibility_difficulty: 0.5,
        data_sensitivity: 0.5,
      }),
      hasInverse: () => false,
    },
  ]);
  const drop = (extra = {}) =>
    step("drop", {
      action: "postgres.drop_column",
      params: { table: "users", column: "phone" },
      rollback: { inverse: true },
      ...extra,
    });

  it("applies the seed's formula", () => {
    const { analysis } = validateBlueprint(blueprint({ p1: [drop()] }), { catalog });
    // 0.3·0.6 + 0.3·0.8 + 0.2·0.9 + 0.2·0.7
    expect(analysis.risks[0]?.composite).toBe(0.74);
    expect(analysis.approvals[0]).toBe(true);
  });

  it("lets a blueprint raise a factor but never lower it", () => {
    const { analysis, diagnostics } = validateBlueprint(
      blueprint({ p1: [drop({ risk: { complexity: 1, reversibility_difficulty: 0 } })] }),
      { catalog },
    );
    expect(analysis.risks[0]?.factors.complexity).toBe(1);
    expect(analysis.risks[0]?.factors.reversibility_difficulty).toBe(0.9);
    expect(diagnostics.map((d) => d.code)).toContain("MA402");
  });

  it("scores unknown actions conservatively, not as zero", () => {
    const { analysis, diagnostics } = validateBlueprint(
      blueprint({ p1: [step("k", { action: "kubernetes.scale", component: "k8s" })] }, [], {
        source_state: { components: [{ id: "k8s", kind: "kubernetes" }] },
      }),
      { catalog },
    );
    expect(analysis.risks[0]?.composite).toBe(0.5);
    expect(diagnostics.map((d) => d.code)).toEqual(["MA502"]);
  });

  it("reports one MA502 per missing adapter, with the count", () => {
    const result = validateBlueprint(blueprint({ p1: [step("a"), step("b"), step("c")] }));
    const missing = result.diagnostics.filter((d) => d.code === "MA502");
    expect(missing).toHaveLength(1);
    expect(missing[0]?.message).toContain("6 steps and rollbacks");
  });

  it("uses require_approval_above when set", () => {
    const bp = blueprint({ p1: [step("a")] }, [], { constraints: { require_approval_above: 0.4 } });
    expect(validateBlueprint(bp).analysis.approvals).toEqual([true]);
  });

  it("rejects unknown actions of a known adapter, and bad params", () => {
    const bp = blueprint({
      p1: [step("a", { action: "postgres.drop_colum" }), drop({ id: "b", params: { table: "users" } })],
    });
    const ds = validateBlueprint(bp, { catalog }).diagnostics;
    expect(ds.find((d) => d.code === "MA501")?.path).toEqual([
      "blueprint",
      "phases",
      0,
      "steps",
      0,
      "action",
    ]);
    expect(ds.find((d) => d.code === "MA503")?.path).toEqual([
      "blueprint",
      "phases",
      0,
      "steps",
      1,
      "params",
      "column",
    ]);
  });
});

describe("rollbacks", () => {
  it("requires a rollback on every step", () => {
    const ds = validateBlueprint(blueprint({ p1: [step("a", { rollback: undefined })] })).diagnostics;
    expect(ds.find((d) => d.code === "MA201")?.path).toEqual(["blueprint", "phases", 0, "steps", 0, "id"]);
  });

  it.each([
    [{}, "MA201"],
    [{ manual: "restore the backup", level: 0 as const }, "MA202"],
    [{ action: "postgres.sql", level: 2 as const }, "MA202"],
    [{ inverse: true as const, manual: "x", level: 2 as const }, "MA202"],
    [{ inverse: true as const, params: { x: 1 } }, "MA202"],
  ])("rejects rollback %j with %s", (rollback, code) => {
    expect(codes(blueprint({ p1: [step("a", { rollback })] }))).toContain(code);
  });

  it("accepts manual level-2 instructions", () => {
    const bp = blueprint({ p1: [step("a", { rollback: { manual: "restore from backup", level: 2 } })] });
    expect(validateBlueprint(bp).valid).toBe(true);
  });

  it("rejects inverse: true for an action that has none", () => {
    const catalog = createCatalog([
      {
        name: "postgres.sql",
        params: z.object({ sql: z.string() }),
        risk: () => ({
          complexity: 0.8,
          blast_radius: 0.5,
          reversibility_difficulty: 0.5,
          data_sensitivity: 0.5,
        }),
        hasInverse: () => false,
      },
    ]);
    expect(codes(blueprint({ p1: [step("a", { rollback: { inverse: true } })] }), { catalog })).toEqual([
      "MA203",
    ]);
  });

  it("rejects checkpoints after phases that do not exist", () => {
    const bp = blueprint({ p1: [step("a")] }, [], {
      rollback_strategy: { type: "point-in-time", checkpoints: [{ id: "cp", after_phase: "p9" }] },
    });
    expect(codes(bp)).toContain("MA204");
  });
});

describe("constraints", () => {
  it("rejects a step whose downtime exceeds max_downtime", () => {
    const bp = blueprint({ p1: [step("a", { downtime: "30s" })] }, [], {
      constraints: { max_downtime: "0s" },
    });
    const d = validateBlueprint(bp).diagnostics.find((x) => x.code === "MA301");
    expect(d?.path).toEqual(["blueprint", "phases", 0, "steps", 0, "downtime"]);
  });

  it("rejects downtime that adds up past max_downtime along the critical path", () => {
    const bp = blueprint(
      { p1: [step("a", { downtime: "40s" })], p2: [step("b", { downtime: "40s" })] },
      ["a>b"],
      { constraints: { max_downtime: "1m" } },
    );
    expect(codes(bp).filter((c) => c.startsWith("MA3"))).toEqual(["MA302"]);
  });

  it.each([0, 101, -5])("rejects canary_percentage %d", (pct) => {
    expect(codes(blueprint({ p1: [step("a")] }, [], { constraints: { canary_percentage: pct } }))).toContain(
      "MA305",
    );
  });

  it("reports a group wider than max_parallelism", () => {
    const bp = blueprint({ p1: [step("a"), step("b"), step("c")] }, [], {
      constraints: { max_parallelism: 2 },
    });
    expect(codes(bp)).toContain("MA306");
  });

  describe("maintenance window", () => {
    const windowed = (downtime: string, window: object, duration = "5m") =>
      blueprint({ p1: [step("a", { downtime, estimated_duration: duration })] }, [], {
        constraints: { maintenance_window: { start: "02:00", end: "04:00", timezone: "UTC", ...window } },
      });

    it.each([
      [{ start: "25:00" }, "start"],
      [{ timezone: "Mars/Olympus" }, "timezone"],
      [{ end: "02:00" }, "end"],
    ])("rejects an invalid window %j", (window, field) => {
      const d = validateBlueprint(windowed("1m", window)).diagnostics.find((x) => x.code === "MA304");
      expect(d?.path.at(-1)).toBe(field);
    });

    it("rejects a downtime step longer than the window", () => {
      expect(codes(windowed("3h", {}, "3h"))).toContain("MA307");
    });

    it("checks the schedule against the window when a start time is given", () => {
      const bp = windowed("1m", {});
      expect(codes(bp, { at: new Date("2026-11-28T02:30:00Z") })).not.toContain("MA303");
      expect(codes(bp, { at: new Date("2026-11-28T10:00:00Z") })).toContain("MA303");
      // starts inside, but 5 minutes before the end is too late for a 5-minute step
      expect(codes(bp, { at: new Date("2026-11-28T03:56:00Z") })).toContain("MA303");
      // without a start time only the static checks run
      expect(codes(bp)).not.toContain("MA303");
    });

    it("reads times in the window's timezone and honours days, across midnight", () => {
      const bp = windowed("1m", { start: "23:00", end: "01:00", timezone: "Europe/Paris", days: ["sat"] });
      // Saturday 2026-11-28 23:30 in Paris is 22:30 UTC
      expect(codes(bp, { at: new Date("2026-11-28T22:30:00Z") })).not.toContain("MA303");
      // 00:30 on Sunday belongs to Saturday's window
      expect(codes(bp, { at: new Date("2026-11-28T23:30:00Z") })).not.toContain("MA303");
      // Friday 23:30 in Paris: not a window day
      expect(codes(bp, { at: new Date("2026-11-27T22:30:00Z") })).toContain("MA303");
    });
  });
});
