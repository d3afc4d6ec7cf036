import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { blueprint, step } from "../../../test/support/blueprints.js";
import { checkBlueprintText } from "../check-blueprint.js";
import { loadBlueprintText } from "./load.js";
import { saveBlueprintYaml } from "./save.js";

const YAML_TEXT = `blueprint:
  id: bp-1
  name: test
  version: "1.0"
  created_at: "2026-11-24T10:00:00Z"
  source_state:
    components:
      - { id: app-db, kind: postgres }
  target_state:
    components: []
  phases:
    - id: p1
      name: one
      steps:
        - id: a
          name: add a column
          component: app-db
          acton: postgres.add_column
          rollback: { inverse: true }
          estimated_duration: 5 minutes
`;

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("loading YAML", () => {
  it("reports unknown keys, missing fields and durations at their line and column", () => {
    const result = loadBlueprintText(YAML_TEXT, { file: "bp.yaml" });
    expect(result.ok).toBe(false);
    const byCode = new Map(result.diagnostics.map((d) => [d.code, d]));
    const unknown = byCode.get("MA003");
    expect(unknown).toMatchObject({ line: lineOf(YAML_TEXT, "acton:"), column: 11, file: "bp.yaml" });
    expect(unknown?.message).toContain("did you mean 'action'?");
    const missing = byCode.get("MA005");
    expect(missing?.message).toContain("missing required field 'action'");
    expect(missing?.line).toBe(lineOf(YAML_TEXT, "- id: a"));
    const duration = byCode.get("MA006");
    expect(duration).toMatchObject({ line: lineOf(YAML_TEXT, "estimated_duration"), column: 31 });
  });

  it("reports a wrong type deep inside a step with its path and position", () => {
    const text = YAML_TEXT.replace("acton:", "action:")
      .replace("5 minutes", "5m")
      .replace(
        "rollback: { inverse: true }",
        "rollback: { inverse: true }\n          risk: { complexity: high }",
      );
    const result = loadBlueprintText(text);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({
      code: "MA004",
      path: ["blueprint", "phases", 0, "steps", 0, "risk", "complexity"],
      line: lineOf(text, "risk:"),
    });
    expect(result.diagnostics[0]?.message).toContain('expected number, got "high"');
  });

  it("reports malformed YAML as MA001 with the position", () => {
    const result = loadBlueprintText("blueprint:\n  id: [unclosed\n  name: x\n");
    expect(result.diagnostics[0]?.code).toBe("MA001");
    expect(result.diagnostics[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it("reports duplicate keys as MA001", () => {
    const result = loadBlueprintText("blueprint:\n  id: a\n  id: b\n");
    expect(result.diagnostics[0]).toMatchObject({ code: "MA001", line: 3 });
  });

  it.each([
    ["", "an empty document"],
    ["- a\n- b\n", "a list"],
    ["id: bp-1\n", "keys id"],
    ["42", "a number"],
  ])("says a document %j is not a blueprint (MA002)", (text, found) => {
    const result = loadBlueprintText(text);
    expect(result.diagnostics[0]?.code).toBe("MA002");
    expect(result.diagnostics[0]?.message).toContain(found);
  });

  it("refuses an alias bomb", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(", ")}]`,
      );
    const result = loadBlueprintText(bomb.join("\n"));
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]?.code).toBe("MA001");
  });
});

describe("loading JSON", () => {
  const valid = { blueprint: blueprint({ p1: [step("a"), step("b")] }, ["a>b"]) };

  it("loads a valid blueprint", () => {
    const result = loadBlueprintText(JSON.stringify(valid, null, 2), { format: "json" });
    expect(result.ok).toBe(true);
  });

  it("locates diagnostics of the validator in JSON text", () => {
    const broken = structuredClone(valid);
    broken.blueprint.dependency_graph?.edges.push({ from: "b", to: "a" });
    const text = JSON.stringify(broken, null, 2);
    const check = checkBlueprintText(text, { format: "json", file: "bp.json" });
    const cycle = check.diagnostics.find((d) => d.code === "MA103");
    expect(cycle?.message).toContain("a → b → a");
    const lines = text.split("\n");
    // the edge that closes the cycle is the second `"from"` of the edges
    const closing = lines.findIndex(
      (l, i) => l.includes('"from": "b"') && lines[i + 1]?.includes('"to": "a"'),
    );
    expect(cycle?.line).toBe(closing); // the `{` line before `"from"`
  });

  it("locates an unknown key at the key", () => {
    const text = JSON.stringify({ blueprint: { ...valid.blueprint, colour: "blue" } }, null, 2);
    const result = loadBlueprintText(text);
    const d = result.diagnostics.find((x) => x.code === "MA003");
    expect(d).toMatchObject({ line: lineOf(text, '"colour"'), column: 5 });
  });

  it("reports JSON syntax errors with line and column", () => {
    const result = loadBlueprintText('{\n  "blueprint": {\n    "id": "x",\n  }\n}', { format: "json" });
    expect(result.diagnostics[0]).toMatchObject({ code: "MA001", line: 4 });
  });
});

describe("saving", () => {
  it("round-trips: load → save → load gives an equal blueprint", () => {
    const original = blueprint(
      {
        p1: [
          step("a", {
            risk: { complexity: 0.2 },
            rollback: { manual: "multi\nline: instructions", level: 2 },
          }),
        ],
        p2: [step("b", { params: { sql: "SELECT 'a: b' -- #" }, description: "yes" })],
      },
      ["a>b"],
      {
        request: "rename x",
        rollback_strategy: { type: "cascading", checkpoints: [{ id: "cp", after_phase: "p1" }] },
        constraints: { max_downtime: "0s", maintenance_window: null, canary_percentage: 10 },
      },
    );
    const first = loadBlueprintText(stringify({ blueprint: original }));
    if (!first.ok) throw new Error(JSON.stringify(first.diagnostics));
    const saved = saveBlueprintYaml(first.value.blueprint);
    const second = loadBlueprintText(saved);
    if (!second.ok) throw new Error(JSON.stringify(second.diagnostics));
    expect(second.value.blueprint).toEqual(first.value.blueprint);
    expect(second.value.blueprint).toEqual(original);
  });
});
