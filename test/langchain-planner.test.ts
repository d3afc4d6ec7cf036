import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_SCHEMA, SMALL_SEED } from "../src/adapters/postgres/backends.contract.js";
import {
  langchainPlanner,
  MissingProviderPackageError,
  parseLangChainSpec,
  UnknownProviderError,
} from "../src/planner/langchain/langchain-planner.js";
import { langchainTools } from "../src/planner/langchain/tools.js";
import { defaultCatalog } from "../src/services/catalog.js";
import { plannerTools } from "../tools/registry.js";
import { type FakeAnthropic, loadScript, startFakeAnthropic } from "./support/fake-anthropic.js";
import { type PlannerDb, plannerDb } from "./support/planner-db.js";

const MODEL = "claude-sonnet-4-6";
const REQUEST = "rename users.email to email_address without downtime";

type Block = Record<string, unknown>;

let db: PlannerDb;
let fake: FakeAnthropic | undefined;

beforeAll(async () => {
  db = await plannerDb([APP_SCHEMA, SMALL_SEED]);
});
afterAll(async () => {
  await fake?.close();
  await db?.close();
});

describe("langchain planner", () => {
  it("plans through initChatModel's ChatAnthropic against the fake Messages API", async () => {
    fake = await startFakeAnthropic(loadScript("rename-email"));
    const planner = await langchainPlanner({
      provider: "anthropic",
      model: MODEL,
      fields: { apiKey: "sk-ant-test-langchain", anthropicApiUrl: fake.baseURL, maxRetries: 0 },
    });
    expect(planner.name).toBe(`langchain:anthropic:${MODEL}`);
    const result = await planner.plan({
      request: REQUEST,
      system: db.system,
      catalog: defaultCatalog(),
      now: new Date("2026-11-24T10:00:00Z"),
    });
    if (result.kind !== "blueprint") throw new Error(`expected a blueprint: ${JSON.stringify(result)}`);
    expect(result.valid).toBe(true);
    expect(result.blueprint.metadata).toEqual({
      planner: "langchain",
      model: `anthropic:${MODEL}`,
      prompt_version: "planner-system/1",
    });

    expect(fake.requests).toHaveLength(2);
    const first = fake.requests[0]?.body as { tools: Block[]; system: Block[] };
    expect(first.tools.map((t) => t.name)).toEqual([...plannerTools.map((t) => t.name), "submit_blueprint"]);
    for (const t of first.tools) expect((t.input_schema as Block).type).toBe("object");
    expect(first.tools.at(-1)?.cache_control).toEqual({ type: "ephemeral" });
    expect(first.system).toEqual([expect.objectContaining({ cache_control: { type: "ephemeral" } })]);
    // The two tool calls of the first turn are answered in one user message, in order.
    const messages = fake.requests[1]?.body.messages as { role: string; content: Block[] }[];
    const answers = messages.at(-1)?.content ?? [];
    expect(messages.at(-1)?.role).toBe("user");
    expect(answers.map((b) => [b.type, b.tool_use_id])).toEqual([
      ["tool_result", "toolu_01DiscoverSys9aQ2"],
      ["tool_result", "toolu_01FindDeps4kR7"],
    ]);
    // usage_metadata counts cached tokens as input; the planner keeps them apart, as the SDK does.
    expect(result.usage).toMatchObject({
      input_tokens: 3504,
      output_tokens: 1816,
      cache_creation_input_tokens: 6104,
      cache_read_input_tokens: 6104,
      requests: 2,
      cost_usd: 0.062473,
    });
  });

  it("names the package to install for a provider that is not installed", async () => {
    const error = await langchainPlanner({ provider: "ollama", model: "llama3.1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingProviderPackageError);
    expect((error as Error).message).toContain("npm install @langchain/ollama");
  });

  it("lists the providers for one LangChain does not know", async () => {
    await expect(langchainPlanner({ provider: "nosuch", model: "x" })).rejects.toThrow(UnknownProviderError);
    await expect(langchainPlanner({ provider: "nosuch", model: "x" })).rejects.toThrow(/ollama/);
  });

  it("splits provider and model at the first colon", () => {
    expect(parseLangChainSpec("ollama:llama3.1:8b")).toEqual({ provider: "ollama", model: "llama3.1:8b" });
    expect(parseLangChainSpec("openai:gpt-4.1")).toEqual({ provider: "openai", model: "gpt-4.1" });
    expect(() => parseLangChainSpec("ollama")).toThrow(/langchain:<provider>:<model>/);
  });

  it("converts the registry's tools without rewriting their schemas, and runs their handlers", async () => {
    const tools = langchainTools({
      services: { system: db.system, catalog: defaultCatalog() },
      submit: async () => "unused",
    });
    expect(tools.map((t) => t.name)).toEqual([...plannerTools.map((t) => t.name), "submit_blueprint"]);
    plannerTools.forEach((def, i) => {
      expect(tools[i]?.schema).toBe(def.input);
      expect(tools[i]?.description).toBe(def.description);
    });
    const describeTable = tools.find((t) => t.name === "describe_table");
    const out = JSON.parse(String(await describeTable?.invoke({ table: "users" }))) as {
      table: { name: string; columns: { name: string }[] };
    };
    expect(out.table.name).toBe("users");
    expect(out.table.columns.map((c) => c.name)).toContain("email");
  });
});
