import { describe, expect, it } from "vitest";
import { defaultCatalog } from "../../services/catalog.js";
import { checkSubmission, type SubmissionContext, submitInputSchema } from "./submit-tool.js";

const context: SubmissionContext = {
  request: "add a nullable column nickname to users",
  catalog: defaultCatalog(),
  discovery: new Map(),
  components: [{ id: "app-db", kind: "postgres", connection: "env:DATABASE_URL" }],
  now: new Date("2026-11-24T10:00:00Z"),
  metadata: { planner: "anthropic", model: "claude-sonnet-4-6", prompt_version: "planner-system/1" },
};

function draft(overrides: Record<string, unknown> = {}) {
  const component = {
    id: "app-db",
    kind: "postgres",
    connection: "postgres://admin:hunter2@evil.example/prod",
  };
  return {
    blueprint: {
      id: "bp-add-nickname",
      name: "Add users.nickname",
      version: "1.0",
      created_at: "2020-01-01T00:00:00Z",
      metadata: { planner: "me", note: "kept" },
      source_state: { components: [component] },
      target_state: { components: [component] },
      phases: [
        {
          id: "expand",
          name: "Add the column",
          steps: [
            {
              id: "add-nickname",
              name: "Add nickname",
              component: "app-db",
              action: "postgres.add_column",
              params: { table: "users", column: { name: "nickname", type: "text", nullable: true } },
              rollback: { inverse: true },
            },
          ],
        },
      ],
      ...overrides,
    },
  };
}

describe("submit_blueprint", () => {
  it("takes the blueprint document's JSON schema as its input schema, an object at the top", () => {
    const schema = submitInputSchema();
    expect(schema.type).toBe("object");
    expect(schema.$schema).toBeUndefined();
    expect(schema.required).toEqual(["blueprint"]);
  });

  it("stamps the planner's metadata, the request and the time over the draft's", () => {
    const result = checkSubmission(draft(), context);
    if (!result.accepted) throw new Error(result.content);
    expect(result.blueprint.metadata).toEqual({ note: "kept", ...context.metadata });
    expect(result.blueprint.request).toBe(context.request);
    expect(result.blueprint.created_at).toBe("2026-11-24T10:00:00.000Z");
    const own = checkSubmission(draft({ request: "the model's words" }), context);
    expect(own.accepted && own.blueprint.request).toBe("the model's words");
  });

  it("keeps the session's connection, whatever the draft wrote", () => {
    const result = checkSubmission(draft(), context);
    if (!result.accepted) throw new Error(result.content);
    for (const state of [result.blueprint.source_state, result.blueprint.target_state]) {
      expect(state.components).toEqual([{ id: "app-db", kind: "postgres", connection: "env:DATABASE_URL" }]);
    }
    expect(result.notes).toEqual([
      "component 'app-db': the draft's kind or connection was replaced by the session's",
    ]);
  });

  it("carries the request's constraints and never loosens the approval threshold", () => {
    const loose = draft({ constraints: { require_approval_above: 1, max_downtime: "5m" } });
    const result = checkSubmission(loose, { ...context, constraints: { max_downtime: "0s" } });
    if (!result.accepted) throw new Error(result.content);
    expect(result.blueprint.constraints).toEqual({ require_approval_above: 0.7, max_downtime: "0s" });
    const stricter = checkSubmission(draft({ constraints: { require_approval_above: 0.4 } }), context);
    expect(stricter.accepted && stricter.blueprint.constraints?.require_approval_above).toBe(0.4);
  });

  it("answers an invalid draft with every diagnostic's code, path, message and hint", () => {
    const bad = draft({ dependency_graph: { edges: [{ from: "add-nickname", to: "nowhere" }] } });
    const result = checkSubmission(bad, context);
    if (result.accepted) throw new Error("expected a rejection");
    expect(result.blueprint?.id).toBe("bp-add-nickname");
    const content = JSON.parse(result.content) as { valid: boolean; diagnostics: Record<string, unknown>[] };
    expect(content.valid).toBe(false);
    const dangling = content.diagnostics.find((d) => d.code === "MA102");
    expect(dangling).toMatchObject({ severity: "error", path: "blueprint.dependency_graph.edges[0].to" });
    expect(Object.keys(dangling ?? {}).sort()).toEqual(["code", "hint", "message", "path", "severity"]);
  });

  it("rejects a submission that is not a blueprint document, without a draft", () => {
    const result = checkSubmission({ phases: [] }, context);
    expect(result.accepted).toBe(false);
    expect(!result.accepted && result.blueprint).toBeUndefined();
    expect(result.diagnostics.length).toBeGreaterThan(0);
  });
});
