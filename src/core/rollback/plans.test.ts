import { describe, expect, it } from "vitest";
import { blueprint, step } from "../../../test/support/blueprints.js";
import { validateBlueprint } from "../validate.js";
import { cascadingRollback, pointInTimeRollback, type RollbackBasis, selectiveRollback } from "./plans.js";

// p1: a → b → c ; a → d     p2: e (depends on c)     p3: f
function basis(): RollbackBasis {
  const bp = blueprint(
    {
      p1: [
        step("a"),
        step("b"),
        step("c"),
        step("d", { rollback: { manual: "restore users from backup", level: 2 } }),
      ],
      p2: [step("e", { rollback: { inverse: true, level: 1 } })],
      p3: [step("f")],
    },
    ["a>b", "b>c", "a>d", "c>e"],
    {
      rollback_strategy: {
        type: "cascading",
        checkpoints: [
          { id: "cp-1", after_phase: "p1" },
          { id: "cp-2", after_phase: "p2" },
        ],
      },
    },
  );
  const { analysis } = validateBlueprint(bp);
  if (!analysis.schedule) throw new Error("fixture should be sound");
  return { blueprint: bp, dependencies: analysis.dependencies, schedule: analysis.schedule };
}

const ids = (r: ReturnType<typeof cascadingRollback>) =>
  r.ok ? r.value.steps.map((s) => s.step_id) : r.diagnostics;

describe("cascading rollback", () => {
  it("undoes the step and every dependent, dependents first", () => {
    expect(ids(cascadingRollback(basis(), "b"))).toEqual(["e", "c", "b"]);
  });

  it("undoes everything from a root, in reverse run order", () => {
    const order = ids(cascadingRollback(basis(), "a")) as string[];
    expect(order).toHaveLength(5);
    expect(order.indexOf("e")).toBeLessThan(order.indexOf("c"));
    expect(order.indexOf("c")).toBeLessThan(order.indexOf("b"));
    expect(order.at(-1)).toBe("a");
  });

  it("carries each step's rollback operation and level", () => {
    const r = cascadingRollback(basis(), "a");
    if (!r.ok) throw new Error("expected a plan");
    const byId = new Map(r.value.steps.map((s) => [s.step_id, s.operation]));
    expect(byId.get("d")).toEqual({ kind: "manual", instructions: "restore users from backup", level: 2 });
    expect(byId.get("e")).toMatchObject({ kind: "inverse", of: "postgres.sql", level: 1 });
    expect(byId.get("a")).toMatchObject({ kind: "action", action: "postgres.sql", level: 0 });
  });

  it("refuses an unknown step", () => {
    const r = cascadingRollback(basis(), "zz");
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]?.code).toBe("MA206");
  });
});

describe("point-in-time rollback", () => {
  it("undoes every step of the phases after the checkpoint, in reverse", () => {
    expect(ids(pointInTimeRollback(basis(), "cp-1"))).toEqual(["f", "e"]);
    expect(ids(pointInTimeRollback(basis(), "cp-2"))).toEqual(["f"]);
  });

  it("names the checkpoints there are when asked for one that is not", () => {
    const r = pointInTimeRollback(basis(), "cp-9");
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]?.message).toContain("cp-1, cp-2");
  });
});

describe("selective rollback", () => {
  it("undoes only the named steps when nothing kept depends on them", () => {
    expect(ids(selectiveRollback(basis(), ["f", "e"]))).toEqual(["f", "e"]);
  });

  it("is refused, naming the kept step that depends on a removed one", () => {
    const r = selectiveRollback(basis(), ["b"]);
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]?.code).toBe("MA205");
    expect(r.diagnostics[0]?.message).toContain("step 'c' stays, and it depends on 'b'");
  });

  it("is accepted once the dependents are selected too", () => {
    expect(ids(selectiveRollback(basis(), ["b", "c", "e"]))).toEqual(["e", "c", "b"]);
  });
});
