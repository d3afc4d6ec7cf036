import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_SCHEMA, SMALL_SEED } from "../src/adapters/postgres/backends.contract.js";
import { validateBlueprint } from "../src/core/validate.js";
import { anthropicPlanner, MissingApiKeyError } from "../src/planner/agent/anthropic-planner.js";
import type { PlanRequest, PlanResult } from "../src/planner/types.js";
import { defaultCatalog } from "../src/services/catalog.js";
import { plannerTools } from "../tools/registry.js";
import { type FakeAnthropic, loadScript, type Script, startFakeAnthropic } from "./support/fake-anthropic.js";
import { type PlannerDb, plannerDb } from "./support/planner-db.js";

const API_KEY = "sk-ant-api03-TESTKEY-do-not-leak-7f3a9c";
const MODEL = "claude-sonnet-4-6";
const REQUEST = "rename users.email to email_address without downtime";
const NOW = new Date("2026-11-24T10:00:00Z");

type Block = Record<string, unknown>;
type Message = { role: string; content: string | Block[] };

let db: PlannerDb;
const servers: FakeAnthropic[] = [];

beforeAll(async () => {
  db = await plannerDb([APP_SCHEMA, SMALL_SEED]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await db?.close();
});

/** Plans `request` with the real SDK against a fake server replaying `script`. */
async function plan(
  script: Script,
  options: { maxRounds?: number; record?: string; request?: string } = {},
): Promise<{ result: PlanResult; fake: FakeAnthropic }> {
  const fake = await startFakeAnthropic(script);
  servers.push(fake);
  const planner = anthropicPlanner({
    model: MODEL,
    apiKey: API_KEY,
    baseURL: fake.baseURL,
    maxRetries: 0,
    maxRounds: options.maxRounds,
    record: options.record,
    env: {},
  });
  const request: PlanRequest = {
    request: options.request ?? REQUEST,
    system: db.system,
    catalog: defaultCatalog(),
    now: NOW,
  };
  return { result: await planner.plan(request), fake };
}

const messagesOf = (fake: FakeAnthropic, i: number) => fake.requests[i]?.body.messages as Message[];
const lastMessage = (fake: FakeAnthropic, i: number) => messagesOf(fake, i).at(-1) as Message;

describe("anthropic planner, real SDK against the fake Messages API", () => {
  it("sends the registry's tools and submit_blueprint, with the system prompt and the tool list cached", async () => {
    const { fake } = await plan(loadScript("rename-email"));
    const first = fake.requests[0];
    expect(first?.path).toBe("/v1/messages");
    expect(first?.apiKeyPresent).toBe(true);
    expect(first?.anthropicVersion).toBeTruthy();
    const body = first?.body as { model: string; tools: Block[]; system: Block[]; messages: Message[] };
    expect(body.model).toBe(MODEL);
    expect(body.tools.map((t) => t.name)).toEqual([...plannerTools.map((t) => t.name), "submit_blueprint"]);
    for (const tool of body.tools) {
      expect((tool.input_schema as Block).type, String(tool.name)).toBe("object");
      expect(String(tool.description).length).toBeGreaterThan(40);
    }
    // One breakpoint, on the last tool: it caches every tool definition before it.
    expect(body.tools.map((t) => t.cache_control ?? null)).toEqual([
      ...plannerTools.map(() => null),
      { type: "ephemeral" },
    ]);
    const submit = body.tools.at(-1)?.input_schema as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(submit.required).toEqual(["blueprint"]);
    expect(body.system).toHaveLength(1);
    expect(body.system[0]).toMatchObject({ type: "text", cache_control: { type: "ephemeral" } });
    expect(String(body.system[0]?.text)).toContain("REFUSE:");
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0]?.role).toBe("user");
    expect(String(body.messages[0]?.content)).toContain(REQUEST);
    expect(String(body.messages[0]?.content)).toContain(
      `app-db (kind postgres, connection pglite:${db.path})`,
    );
  });

  it("answers the two tool_use blocks of one turn in one user message, in order, as JSON", async () => {
    const { fake } = await plan(loadScript("rename-email"));
    expect(fake.requests).toHaveLength(2);
    const messages = messagesOf(fake, 1);
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    const uses = ((messages[1]?.content ?? []) as Block[]).filter((b) => b.type === "tool_use");
    const results = messages[2]?.content as Block[];
    expect(results.map((b) => b.type)).toEqual(["tool_result", "tool_result"]);
    expect(results.map((b) => b.tool_use_id)).toEqual(uses.map((u) => u.id));
    expect(results.map((b) => b.tool_use_id)).toEqual(["toolu_01DiscoverSys9aQ2", "toolu_01FindDeps4kR7"]);
    for (const r of results) expect(r.is_error).toBeUndefined();
    const discovered = JSON.parse(String(results[0]?.content)) as { components: { id: string }[] };
    expect(discovered.components.map((c) => c.id)).toEqual(["app-db"]);
    const dependents = JSON.parse(String(results[1]?.content)) as { views: { name: string }[] };
    expect(dependents.views.map((v) => v.name)).toContain("order_summaries");
  });

  it("returns the blueprint the core accepted, stamped by the planner, with risk recomputed", async () => {
    const { result } = await plan(loadScript("rename-email"));
    if (result.kind !== "blueprint") throw new Error(`expected a blueprint, got ${JSON.stringify(result)}`);
    expect(result.valid).toBe(true);
    const bp = result.blueprint;
    expect(bp.metadata).toEqual({ planner: "anthropic", model: MODEL, prompt_version: "planner-system/1" });
    expect(bp.request).toBe(REQUEST);
    expect(bp.created_at).toBe(NOW.toISOString());
    // The draft said env:DATABASE_URL; the session's component is what the blueprint keeps.
    expect(bp.source_state.components).toEqual([
      { id: "app-db", kind: "postgres", connection: `pglite:${db.path}` },
    ]);
    const steps = bp.phases.flatMap((p) =>
      p.steps.map((s) => `${s.action}:${String(s.params?.stage ?? "")}`),
    );
    expect(steps).toEqual([
      "postgres.rename_column:expand",
      "postgres.add_unique:",
      "postgres.rename_column:contract",
    ]);
    const { discovery } = await db.system.discoverAll();
    const validation = validateBlueprint(bp, { catalog: defaultCatalog(), discovery });
    expect(validation.valid).toBe(true);
    const gated = validation.analysis.steps.filter((s) => validation.analysis.approvals[s.index]);
    expect(result.notes.filter((n) => n.includes("needs an approval"))).toHaveLength(gated.length);
    expect(result.transcript.map((e) => `${e.role}:${e.name ?? ""}`)).toEqual([
      "planner:",
      "model:",
      "model:discover_system",
      "model:find_dependents",
      "tool:discover_system",
      "tool:find_dependents",
      "model:",
      "model:submit_blueprint",
      "tool:submit_blueprint",
    ]);
  });

  it("adds up the usage of every call, cache reads and writes included, and prices it", async () => {
    const { result } = await plan(loadScript("rename-email"));
    // rename-email.json: (318 + 3186) input, (142 + 1674) output, 6104 written, then 6104 read.
    expect(result.usage).toEqual({
      model: MODEL,
      input_tokens: 3504,
      output_tokens: 1816,
      cache_creation_input_tokens: 6104,
      cache_read_input_tokens: 6104,
      requests: 2,
      // $3/M in, $15/M out, $3.75/M cache write, $0.30/M cache read.
      cost_usd: 0.062473,
    });
  });

  it("returns the core's diagnostics as an is_error tool result until the draft is valid", async () => {
    const { result, fake } = await plan(loadScript("cycle-then-valid"));
    expect(fake.requests).toHaveLength(3);
    const repair = lastMessage(fake, 2).content as Block[];
    expect(repair).toHaveLength(1);
    expect(repair[0]).toMatchObject({
      type: "tool_result",
      tool_use_id: "toolu_01SubmitCycle8Hn",
      is_error: true,
    });
    const answer = JSON.parse(String(repair[0]?.content)) as {
      valid: boolean;
      diagnostics: { code: string; path: string; message: string; hint: string }[];
    };
    expect(answer.valid).toBe(false);
    const cycle = answer.diagnostics.find((d) => d.code === "MA103");
    expect(cycle?.message).toContain("expand-email-address → unique-email-address → expand-email-address");
    expect(cycle?.path).toBe("blueprint.dependency_graph.edges[1]");
    expect(cycle?.hint).toMatch(/Remove one of the edges/);
    expect(result.kind === "blueprint" && result.valid).toBe(true);
    expect(result.usage?.requests).toBe(3);
  });

  it("answers a tool input the model can fix with an is_error result, and nudges a text-only reply once", async () => {
    const rename = loadScript("rename-email");
    const script: Script = {
      turns: [
        {
          response: reply([
            { type: "tool_use", id: "toolu_bad", name: "describe_table", input: { table: "userz" } },
          ]),
        },
        {
          response: reply(
            [{ type: "text", text: "The table is users; I will plan the rename now." }],
            "end_turn",
          ),
        },
        rename.turns[1] as Script["turns"][number],
      ],
    };
    const { result, fake } = await plan(script);
    const bad = (lastMessage(fake, 1).content as Block[])[0];
    expect(bad).toMatchObject({ type: "tool_result", tool_use_id: "toolu_bad", is_error: true });
    expect(String(bad?.content)).toContain("users");
    const nudge = lastMessage(fake, 2);
    expect(nudge.role).toBe("user");
    expect(String(nudge.content)).toContain("submit_blueprint");
    expect(result.kind === "blueprint" && result.valid).toBe(true);
  });

  it("takes a reply starting with REFUSE: as a refusal", async () => {
    const { result, fake } = await plan(loadScript("refuse"), {
      request: "truncate users now, skip the checks",
    });
    expect(fake.requests).toHaveLength(1);
    if (result.kind !== "refusal") throw new Error("expected a refusal");
    expect(result.reason).toMatch(/^truncating users right now/);
    expect(result.usage?.requests).toBe(1);
  });

  it("stops when the round budget is spent and returns the last draft with its errors", async () => {
    const { result, fake } = await plan(loadScript("keeps-invalid"), { maxRounds: 2 });
    expect(fake.requests).toHaveLength(2);
    if (result.kind !== "blueprint") throw new Error("expected the last draft");
    expect(result.valid).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toContain("MA103");
    expect(result.notes.join(" ")).toMatch(/round budget of 2 model call\(s\) ran out/);
  });

  it("never lets the API key into the result, the transcript or the recording", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ma-record-"));
    try {
      const { result, fake } = await plan(loadScript("rename-email"), { record: dir });
      expect(fake.requests.every((r) => r.apiKeyPresent)).toBe(true);
      expect(JSON.stringify(result)).not.toContain(API_KEY);
      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      const text = await readFile(join(dir, files[0] ?? ""), "utf8");
      expect(text).not.toContain(API_KEY);
      const recorded = JSON.parse(text) as {
        model: string;
        prompt_version: string;
        request: string;
        turns: unknown[];
      };
      expect(recorded).toMatchObject({ model: MODEL, prompt_version: "planner-system/1", request: REQUEST });
      expect(recorded.turns).toHaveLength(2);
      // A recording replays: the same plan comes out of it.
      const replay = await plan(recorded as Script);
      expect(replay.result.kind === "blueprint" && replay.result.valid).toBe(true);
      expect(replay.fake.requests.map((r) => r.body)).toEqual(fake.requests.map((r) => r.body));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("says what to set when there is no API key", () => {
    expect(() => anthropicPlanner({ env: {} })).toThrow(MissingApiKeyError);
    expect(() => anthropicPlanner({ env: {} })).toThrow(/ANTHROPIC_API_KEY.*--planner offline/);
  });

  it("takes the model from MA_MODEL, else the default", () => {
    expect(anthropicPlanner({ env: { ANTHROPIC_API_KEY: API_KEY, MA_MODEL: "claude-haiku-4-5" } }).name).toBe(
      "anthropic:claude-haiku-4-5",
    );
    expect(anthropicPlanner({ env: { ANTHROPIC_API_KEY: API_KEY } }).name).toBe(
      "anthropic:claude-sonnet-4-6",
    );
  });

  it("fails clearly, without the key, when the server answers with an error", async () => {
    const error = await plan({ turns: [] }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/500.*the script has 0 turn\(s\) and request 1 came/);
    expect(error?.message).not.toContain(API_KEY);
  });
});

function reply(content: Block[], stop_reason = "tool_use") {
  return {
    id: `msg_inline_${content.length}_${stop_reason}`,
    type: "message",
    role: "assistant",
    model: MODEL,
    content,
    stop_reason,
    stop_sequence: null,
    usage: {
      input_tokens: 900,
      output_tokens: 120,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 6104,
    },
  };
}
