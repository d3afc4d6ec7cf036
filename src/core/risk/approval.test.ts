import { describe, expect, it } from "vitest";
import { step } from "../../../test/support/blueprints.js";
import { approvalHolds, stepHash } from "./approval.js";

describe("approvals", () => {
  const original = step("drop-phone", {
    action: "postgres.drop_column",
    params: { table: "users", column: "phone" },
  });
  const approval = {
    step_id: original.id,
    step_hash: stepHash(original),
    approved_by: "alice",
    approved_at: "2026-11-25T10:00:00Z",
  };

  it("hashes the step's content, whatever the key order", () => {
    const reordered = JSON.parse(JSON.stringify({ params: original.params, ...original }));
    expect(stepHash(reordered)).toBe(stepHash(original));
    expect(stepHash(original)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("holds for the step as approved", () => {
    expect(approvalHolds(approval, original)).toBe(true);
  });

  it.each([
    ["params", { ...original, params: { table: "users", column: "email" } }],
    ["rollback", { ...original, rollback: { manual: "good luck", level: 2 as const } }],
    ["risk", { ...original, risk: { complexity: 0.1 } }],
    ["name", { ...original, name: "something else" }],
  ])("is void once the step's %s is edited", (_field, edited) => {
    expect(approvalHolds(approval, edited)).toBe(false);
  });
});
