import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import {
  type CallToolResult,
  ElicitRequestSchema,
  type ElicitResult,
  type Progress,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { mcpShop } from "../test/support/mcp-shop.js";
import { createMcpServer } from "./server.js";

// biome-ignore lint/suspicious/noExplicitAny: tests read the tools' JSON results freely
type Json = any;

const WIDEN =
  "orders.total_cents is an integer and big orders will overflow it: make it a bigint, with no downtime";

type Answer = ElicitResult | "none";

/** A server over a fresh shop database, and a way to connect clients to it. */
async function setup(approvalThreshold?: number) {
  const shop = await mcpShop(approvalThreshold);
  const { services } = shop;
  const connect = async (options: { readOnly?: boolean; answer?: Answer; asked?: string[] } = {}) => {
    const server = createMcpServer({ services, readOnly: options.readOnly ?? false, version: "test" });
    const elicit = options.answer !== undefined && options.answer !== "none";
    const client = new Client(
      { name: "test-client", version: "1.0.0" },
      { capabilities: elicit ? { elicitation: { form: {} } } : {} },
    );
    if (elicit) {
      client.setRequestHandler(ElicitRequestSchema, async (request) => {
        options.asked?.push(request.params.message);
        return options.answer as ElicitResult;
      });
    }
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    return { client, close: () => client.close() };
  };
  return { db: shop.db, services, connect, close: shop.close };
}

async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  onprogress?: (p: Progress) => void,
) {
  const result = (await client.callTool({ name, arguments: args }, undefined, {
    onprogress,
    timeout: 120_000,
  })) as CallToolResult;
  return result;
}

async function ok(client: Client, name: string, args: Record<string, unknown>): Promise<Json> {
  const result = await call(client, name, args);
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  expect(result.content[0]?.type).toBe("text");
  return result.structuredContent;
}

async function toolError(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = await call(client, name, args);
  expect(result.isError).toBe(true);
  return (result.content[0] as { text: string }).text;
}

let env: Awaited<ReturnType<typeof setup>>;
beforeAll(async () => {
  env = await setup();
});
afterAll(async () => {
  await env?.close();
});

describe("MCP tools over an in-memory pair", () => {
  it("lists every tool with zod-made schemas and all four annotation hints explicit", async () => {
    const { client, close } = await env.connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        "approve_step",
        "deployment_template",
        "describe_table",
        "discover_system",
        "explain_blueprint",
        "find_dependents",
        "get_report",
        "get_run_status",
        "list_components",
        "plan_migration",
        "rollback_run",
        "run_health_checks",
        "run_migration",
        "table_stats",
        "validate_blueprint",
      ].sort(),
    );
    for (const tool of tools) {
      // The acceptance line: a tool without an explicit read-only hint fails here.
      expect(typeof tool.annotations?.readOnlyHint, tool.name).toBe("boolean");
      expect(typeof tool.annotations?.destructiveHint, tool.name).toBe("boolean");
      expect(typeof tool.annotations?.idempotentHint, tool.name).toBe("boolean");
      expect(typeof tool.annotations?.openWorldHint, tool.name).toBe("boolean");
      expect(tool.inputSchema.type).toBe("object");
      expect(tool.outputSchema?.type, tool.name).toBe("object");
    }
    const byName = new Map(tools.map((t) => [t.name, t.annotations]));
    expect(byName.get("run_migration")).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get("rollback_run")).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get("approve_step")).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(byName.get("plan_migration")).toMatchObject({ readOnlyHint: true, openWorldHint: false });
    expect(byName.get("run_health_checks")).toMatchObject({ readOnlyHint: true });
    await close();
  });

  it("--read-only serves the read-only tools only", async () => {
    const { client, close } = await env.connect({ readOnly: true });
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).not.toContain("run_migration");
    expect(names).not.toContain("approve_step");
    expect(names).not.toContain("rollback_run");
    expect(names).toContain("plan_migration");
    expect(names).toContain("get_report");
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    // Not served at all: unknown to the server, not merely failing (a run 'x' would fail anyway).
    const refused = await client.callTool({ name: "run_migration", arguments: { run_id: "x" } }).then(
      (r) => JSON.stringify((r as CallToolResult).content),
      (e: Error) => e.message,
    );
    expect(refused).toMatch(/run_migration not found/);
    await close();
  });

  it("discovers, plans, validates, explains and checks; the plan's hash is the validated content's", async () => {
    const { client, close } = await env.connect();
    const found = await ok(client, "discover_system", {});
    expect(found.components.map((c: Json) => c.id)).toEqual(["app-db"]);
    const plan = await ok(client, "plan_migration", {
      request: "add a nullable text column nickname to users",
    });
    expect(plan).toMatchObject({ outcome: "blueprint", planner: "offline", valid: true });
    expect(plan.blueprint_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const validated = await ok(client, "validate_blueprint", { blueprint: plan.blueprint_yaml });
    expect(validated.valid).toBe(true);
    expect(validated.blueprint_hash).toBe(plan.blueprint_hash);
    const explained = await ok(client, "explain_blueprint", { blueprint: plan.blueprint_yaml });
    expect(explained.steps.length).toBe(plan.summary.steps);
    const checks = await ok(client, "run_health_checks", {
      blueprint_hash: plan.blueprint_hash,
      stage: "pre",
    });
    expect(checks.results.length).toBeGreaterThan(0);
    expect(checks.passed).toBe(true);
    const refusal = await ok(client, "plan_migration", {
      request: "truncate users and skip all the health checks",
    });
    expect(refusal.outcome).toBe("refusal");
    expect(refusal.reason).toBeTruthy();
    await close();
  });

  it("runs nothing that was not shown valid: an unknown hash is a tool error that says what to do", async () => {
    const { client, close } = await env.connect();
    const message = await toolError(client, "run_migration", { blueprint_hash: `sha256:${"0".repeat(64)}` });
    expect(message).toMatch(/was shown valid here: call plan_migration or validate_blueprint first/);
    expect(await toolError(client, "run_migration", {})).toMatch(/either blueprint_hash .* or run_id/);
    await close();
  });

  it("a health check's query cannot write: run_health_checks is read-only", async () => {
    const { client, close } = await env.connect();
    const plan = await ok(client, "plan_migration", {
      request: "add a nullable text column nickname to users",
    });
    const blueprint = parse(plan.blueprint_yaml);
    blueprint.blueprint.phases[0].health_checks = [
      {
        id: "sneaky",
        type: "functional",
        stage: "pre",
        component: "app-db",
        params: { sql: "INSERT INTO users (email) VALUES ('x@example.com') RETURNING true" },
      },
    ];
    const out = await ok(client, "run_health_checks", { blueprint: stringify(blueprint), stage: "pre" });
    const sneaky = out.results.find((r: Json) => r.check_id === "sneaky");
    expect(sneaky.status).toBe("fail");
    expect(sneaky.message).toMatch(/read-only transaction/);
    await close();
  });
});

describe("approvals", () => {
  // Each test gets a fresh shop: a completed widening leaves nothing to widen.
  let shared: typeof env;
  beforeEach(async () => {
    shared = env;
    env = await setup();
  });
  afterEach(async () => {
    await env.close();
    env = shared;
  });

  it("elicitation accepted: the person approves in their client and the run completes", async () => {
    const asked: string[] = [];
    const { client, close } = await env.connect({
      answer: { action: "accept", content: { approve: true, name: "Ada" } },
      asked,
    });
    const plan = await ok(client, "plan_migration", { request: WIDEN });
    expect(plan.summary.needs_approval.length).toBeGreaterThan(0);
    const progress: Progress[] = [];
    const result = await call(client, "run_migration", { blueprint_hash: plan.blueprint_hash }, (p) =>
      progress.push(p),
    );
    const run = result.structuredContent as Json;
    expect(run.status).toBe("completed");
    expect(run.asked.map((a: Json) => a.answer)).toEqual(plan.summary.needs_approval.map(() => "accept"));
    expect(asked[0]).toMatch(/risk .* above the approval threshold/);
    // Progress notifications came while it ran, in increasing order.
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.map((p) => p.progress)).toEqual(
      [...progress.map((p) => p.progress)].sort((a, b) => a - b),
    );
    const report = await ok(client, "get_report", { run_id: run.run_id });
    expect(report.run.status).toBe("completed");
    expect(report.approvals[0].approved_by).toBe("Ada");
    expect(report.markdown).toMatch(/## Approvals/);

    // The column is a bigint now: the same request is refused, and the old blueprint no longer
    // validates against the system (MA507), so running it again is refused before anything runs.
    const again = await ok(client, "plan_migration", { request: WIDEN });
    expect(again.outcome).toBe("refusal");
    expect(again.reason).toMatch(/total_cents is already bigint/);
    const rerun = await toolError(client, "run_migration", { blueprint_hash: plan.blueprint_hash });
    expect(rerun).toMatch(/no longer valid against the system as it is now:\nMA507/);
    await close();
  });

  for (const answer of ["decline", "cancel"] as const) {
    it(`elicitation answered "${answer}": the run waits, no approval code reaches the model, and it rolls back`, async () => {
      const { client, close } = await env.connect({ answer: { action: answer } });
      const plan = await ok(client, "plan_migration", { request: WIDEN });
      const result = await call(client, "run_migration", { blueprint_hash: plan.blueprint_hash });
      const run = result.structuredContent as Json;
      expect(run.status).toBe("awaiting_approval");
      expect(run.asked).toEqual([{ step_id: plan.summary.needs_approval[0], kind: "approval", answer }]);
      expect(run.next).toMatch(answer === "decline" ? /declined/ : /did not answer/);
      const view = await env.services.runs.view(run.run_id);
      const code = view.waiting.approvals[0]?.code ?? "";
      expect(code).toMatch(/^[0-9a-f]{16}$/);
      expect(JSON.stringify(result)).not.toContain(code);
      const rolled = await ok(client, "rollback_run", { run_id: run.run_id });
      expect(rolled.status).toBe("rolled_back");
      await close();
    });
  }

  it("without elicitation: the run waits; approve_step needs the person's approval code; then it completes", async () => {
    const { client, close } = await env.connect({ answer: "none" });
    const plan = await ok(client, "plan_migration", { request: WIDEN });
    const gated = plan.summary.needs_approval[0];
    const result = await call(client, "run_migration", { blueprint_hash: plan.blueprint_hash });
    const run = result.structuredContent as Json;
    expect(run.status).toBe("awaiting_approval");
    expect(run.asked).toEqual([]);
    expect(run.waiting.approvals.map((a: Json) => a.step_id)).toEqual([gated]);
    expect(run.next).toMatch(/ask them for the step's approval code/);

    // The person reads the code where the server shows it to them (its log, `status`): here, the service.
    const view = await env.services.runs.view(run.run_id);
    const code = view.waiting.approvals[0]?.code as string;
    expect(code).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(result)).not.toContain(code);
    const status = await ok(client, "get_run_status", { run_id: run.run_id });
    expect(JSON.stringify(status)).not.toContain(code);

    // What the model could work out is refused: a made-up code, the step's own content hash (a
    // model with a shell could compute it), the plan's hash; so is a step the run does not wait on.
    const { stepHash } = await import("../src/core/risk/approval.js");
    const gatedStep = view.blueprint.phases.flatMap((p) => p.steps).find((s) => s.id === gated);
    for (const guess of ["0123456789abcdef", stepHash(gatedStep as never), plan.blueprint_hash]) {
      expect(
        await toolError(client, "approve_step", { run_id: run.run_id, step_id: gated, approval_code: guess }),
      ).toMatch(/not the approval code of step .* ask the person/);
    }
    expect(
      await toolError(client, "approve_step", { run_id: run.run_id, step_id: "nope", approval_code: code }),
    ).toMatch(/does not wait on step 'nope'/);

    const approved = await ok(client, "approve_step", {
      run_id: run.run_id,
      step_id: gated,
      approval_code: code.toUpperCase(),
      approved_by: "Grace",
    });
    expect(approved.recorded).toBe("approval");
    const done = await ok(client, "run_migration", { run_id: run.run_id });
    expect(done.status).toBe("completed");
    const listed = await ok(client, "get_run_status", {});
    expect(listed.runs.map((r: Json) => r.run_id)).toContain(run.run_id);
    const report = await ok(client, "get_report", { run_id: run.run_id });
    expect(report.approvals[0].approved_by).toMatch(/^Grace \(via test-client, with the approval code\)$/);
    await close();
  });

  it("a rollback step that needs a person: confirmed in the client by elicitation", async () => {
    const asked: string[] = [];
    const { client, close } = await env.connect({
      answer: { action: "accept", content: { approve: true, name: "Linus" } },
      asked,
    });
    const plan = await ok(client, "plan_migration", { request: "rename users.email to email_address" });
    const run = await ok(client, "run_migration", { blueprint_hash: plan.blueprint_hash });
    expect(run.status).toBe("completed");
    const rolled = await ok(client, "rollback_run", { run_id: run.run_id });
    expect(rolled.status).toBe("rolled_back");
    expect(rolled.asked).toEqual([expect.objectContaining({ kind: "confirmation", answer: "accept" })]);
    expect(asked.at(-1)).toMatch(/is rolling back and waits for you before undoing step/);
    await close();
  });

  it("a rollback step that needs a person, without elicitation: confirmed with its approval code", async () => {
    const { client, close } = await env.connect({ answer: "none" });
    const plan = await ok(client, "plan_migration", { request: "rename users.email to email_address" });
    const run = await ok(client, "run_migration", { blueprint_hash: plan.blueprint_hash });
    const waiting = await ok(client, "rollback_run", { run_id: run.run_id });
    expect(waiting.status).toBe("awaiting_confirmation");
    const step = waiting.waiting.confirmation.step_id;
    expect(waiting.next).toMatch(/Ask the person for the step's approval code/);
    const code = (await env.services.runs.view(run.run_id)).waiting.confirmation?.code as string;
    expect(JSON.stringify(waiting)).not.toContain(code);
    const confirmed = await ok(client, "approve_step", {
      run_id: run.run_id,
      step_id: step,
      approval_code: code,
    });
    expect(confirmed.recorded).toBe("confirmation");
    const done = await ok(client, "run_migration", { run_id: run.run_id });
    expect(done.status).toBe("rolled_back");
    await close();
  });

  it("nothing the model writes lowers a risk: zero risk factors still gate the step", async () => {
    const { client, close } = await env.connect({ answer: "none" });
    const plan = await ok(client, "plan_migration", { request: WIDEN });
    const doc = parse(plan.blueprint_yaml);
    for (const phase of doc.blueprint.phases)
      for (const step of phase.steps)
        step.risk = { complexity: 0, blast_radius: 0, reversibility_difficulty: 0, data_sensitivity: 0 };
    const validated = await ok(client, "validate_blueprint", { blueprint: stringify(doc) });
    expect(validated.summary.needs_approval).toEqual(plan.summary.needs_approval);
    const run = await ok(client, "run_migration", { blueprint_hash: validated.blueprint_hash });
    expect(run.status).toBe("awaiting_approval");
    await ok(client, "rollback_run", { run_id: run.run_id });
    await close();
  });

  it("a stricter server threshold (--approval-threshold 0.5) goes into the planned blueprint", async () => {
    const strict = await setup(0.5);
    try {
      const { client, close } = await strict.connect({ answer: "none" });
      const plan = await ok(client, "plan_migration", {
        request: "add a nullable text column nickname to users",
      });
      expect(plan.valid).toBe(true);
      expect(parse(plan.blueprint_yaml).blueprint.constraints.require_approval_above).toBe(0.5);
      // A blueprint that says nothing of the threshold is told what to set.
      const doc = parse(plan.blueprint_yaml);
      delete doc.blueprint.constraints.require_approval_above;
      const loose = await ok(client, "validate_blueprint", { blueprint: stringify(doc) });
      expect(loose.diagnostics.find((d: Json) => d.code === "MA403")?.message).toMatch(
        /sets no require_approval_above.*set constraints.require_approval_above to 0.5 or lower/,
      );
      await close();
    } finally {
      await strict.close();
    }
  });

  it("nor can it loosen the threshold: require_approval_above above the server's is an error (MA403)", async () => {
    const { client, close } = await env.connect({ answer: "none" });
    const plan = await ok(client, "plan_migration", { request: WIDEN });
    const doc = parse(plan.blueprint_yaml);
    doc.blueprint.constraints = { ...(doc.blueprint.constraints ?? {}), require_approval_above: 1 };
    const validated = await ok(client, "validate_blueprint", { blueprint: stringify(doc) });
    expect(validated.valid).toBe(false);
    expect(validated.blueprint_hash).toBeNull();
    expect(validated.diagnostics.find((d: Json) => d.code === "MA403")).toMatchObject({
      severity: "error",
      path: "blueprint.constraints.require_approval_above",
    });
    // Stricter is allowed.
    doc.blueprint.constraints.require_approval_above = 0.1;
    const stricter = await ok(client, "validate_blueprint", { blueprint: stringify(doc) });
    expect(stricter.valid).toBe(true);
    expect(stricter.summary.needs_approval.length).toBeGreaterThan(plan.summary.needs_approval.length);
    await close();
  });
});

describe("resources and the prompt", () => {
  it("lists and reads blueprint://, run:// and report://", async () => {
    const { client, close } = await env.connect({ answer: "none" });
    const plan = await ok(client, "plan_migration", {
      request: "add a nullable text column nickname to users",
    });
    const run = await ok(client, "run_migration", { blueprint_hash: plan.blueprint_hash });
    expect(run.status).toBe("completed");
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      "blueprint://{id}",
      "report://{id}",
      "run://{id}",
    ]);
    const { resources } = await client.listResources();
    const hex = plan.blueprint_hash.slice(7);
    expect(resources.map((r) => r.uri)).toEqual(
      expect.arrayContaining([`blueprint://${hex}`, `run://${run.run_id}`, `report://${run.run_id}`]),
    );
    const blueprint = await client.readResource({ uri: `blueprint://${hex}` });
    expect((blueprint.contents[0] as { text: string }).text).toBe(plan.blueprint_yaml);
    const status = await client.readResource({ uri: `run://${run.run_id}` });
    expect(JSON.parse((status.contents[0] as { text: string }).text).status).toBe("completed");
    const report = await client.readResource({ uri: `report://${run.run_id}` });
    expect((report.contents[0] as { text: string }).text).toMatch(/^# Run run-/);
    await expect(client.readResource({ uri: "run://run-nope" })).rejects.toThrow(/no run 'run-nope'/);
    await close();
  });

  it("gives the plan_zero_downtime_migration prompt with its request and target", async () => {
    const { client, close } = await env.connect();
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(["plan_zero_downtime_migration"]);
    expect(prompts[0]?.arguments?.map((a) => a.name)).toEqual(["request", "target"]);
    const prompt = await client.getPrompt({
      name: "plan_zero_downtime_migration",
      arguments: { request: "rename users.email to email_address", target: "app-db" },
    });
    const text = (prompt.messages[0]?.content as { text: string } | undefined)?.text ?? "";
    expect(text).toMatch(/rename users.email to email_address/);
    expect(text).toMatch(/discover_system with component 'app-db'/);
    expect(text).toMatch(/Approvals are mine/);
    await close();
  });
});
