/**
 * The MCP server's latency over stdio, as a client sees it: the built server (`npm run build`'s
 * `dist/`, what a user installs) is spawned with one PGlite target holding the shop fixture, and
 * the client times its startup (spawn to a connected client, once), `tools/list`, and
 * `validate_blueprint` on examples/rename-column.yaml twice over: as written (its component
 * `app-db` is the server's target, and the server re-reads the system on every call, so every
 * call includes a discovery of the shop database) and with the component renamed to one the
 * server does not know (validation without discovery). Calls are sequential, after a warm-up;
 * median, p90, p99 and max are reported. Writes bench/results/mcp.json.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ListToolsResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { parse } from "yaml";
import { ensureBuilt, ROOT } from "../scripts/ensure-built.js";
import { percentile, round2 } from "../src/adapters/check-result.js";
import { APP_SCHEMA, SMALL_SEED } from "../src/adapters/postgres/backends.contract.js";
import { acquirePglite } from "../src/adapters/postgres/pglite-shared.js";
import { median } from "./median.js";

const WARM_UP = 5;
const LIST_N = 200;
const VALIDATE_N = 100;
const BLUEPRINT = "examples/rename-column.yaml";
/** The server's --target id: the component of the example blueprint. */
const TARGET_ID = "app-db";
/** A component id the server does not know: validated without discovery. */
const UNKNOWN_ID = "unknown-db";

interface Figures {
  n: number;
  median_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
}

function figures(times: readonly number[]): Figures {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median_ms: round2(median(sorted)),
    p90_ms: round2(percentile(sorted, 90)),
    p99_ms: round2(percentile(sorted, 99)),
    max_ms: round2(sorted[sorted.length - 1] ?? 0),
  };
}

function report(label: string, f: Figures): void {
  const ms = (value: number) => value.toFixed(2).padStart(7);
  console.log(
    `${label.padEnd(46)} n=${String(f.n).padStart(3)}  median ${ms(f.median_ms)} ms  ` +
      `p90 ${ms(f.p90_ms)}  p99 ${ms(f.p99_ms)}  max ${ms(f.max_ms)}`,
  );
}

/** Warms up, then times `n` sequential calls. */
async function time(n: number, call: () => Promise<void>): Promise<Figures> {
  for (let i = 0; i < WARM_UP; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  return figures(times);
}

const builtCli = ensureBuilt();
const blueprint = await readFile(join(ROOT, BLUEPRINT), "utf8");
const { source_state, target_state } = parse(blueprint).blueprint as Record<
  "source_state" | "target_state",
  { components: { id: string }[] }
>;
const componentIds = [...new Set([...source_state.components, ...target_state.components].map((c) => c.id))];
if (componentIds.join(",") !== TARGET_ID) {
  throw new Error(`${BLUEPRINT}'s components are [${componentIds.join(", ")}], not [${TARGET_ID}]`);
}
// Every reference to the component (states, steps, health checks) renamed: no discovery applies.
const unknownBlueprint = blueprint.replaceAll(TARGET_ID, UNKNOWN_ID);

const dir = await mkdtemp(join(tmpdir(), "ma-bench-mcp-"));
const dbPath = join(dir, "shop");
const shared = await acquirePglite({ kind: "file", path: dbPath });
await shared.db.exec(APP_SCHEMA);
await shared.db.exec(SMALL_SEED);
// A PGlite directory serves one process at a time: from here on, the server's.
await shared.release();

const transport = new StdioClientTransport({
  command: process.execPath,
  args: [builtCli, "mcp", "--target", `${TARGET_ID}=pglite:${dbPath}`, "--state", join(dir, "state")],
  stderr: "pipe",
});
// The server's log: drained as it comes (a full pipe would block the server), kept to show.
const stderrLines: string[] = [];
let partial = "";
transport.stderr?.on("data", (chunk: Buffer | string) => {
  const lines = (partial + chunk.toString()).split("\n");
  partial = lines.pop() ?? "";
  stderrLines.push(...lines.filter((line) => line.trim()));
});
const client = new Client({ name: "mcp-bench", version: "1.0.0" });

let toolCount = 0;
let listBytes = 0;

async function measure() {
  const spawned = performance.now();
  await client.connect(transport);
  const startupMs = performance.now() - spawned;

  const listTools = async () => {
    const { tools } = await client.listTools();
    if (!tools.some((t) => t.name === "validate_blueprint"))
      throw new Error("tools/list has no validate_blueprint");
    toolCount = tools.length;
  };
  // The same request without what `listTools` adds on the client's side (it compiles a JSON Schema
  // validator for every tool's output schema on each call): the server's part and the transport.
  const listToolsRaw = async () => {
    listBytes = JSON.stringify(await client.request({ method: "tools/list" }, ListToolsResultSchema)).length;
  };
  const validate = (text: string, discovers: readonly string[]) => async () => {
    const result = await client.callTool({ name: "validate_blueprint", arguments: { blueprint: text } });
    const out = result.structuredContent as { valid?: boolean; discovered?: string[] } | undefined;
    if (result.isError || out?.valid !== true) {
      throw new Error(`validate_blueprint: not valid: ${JSON.stringify(result, null, 2)}`);
    }
    if ((out.discovered ?? []).join(",") !== discovers.join(",")) {
      throw new Error(
        `validate_blueprint discovered [${out.discovered?.join(", ")}], not [${discovers.join(", ")}]`,
      );
    }
  };

  return {
    startupMs,
    results: {
      tools_list: await time(LIST_N, listTools),
      tools_list_raw_request: await time(LIST_N, listToolsRaw),
      validate_with_discovery: await time(VALIDATE_N, validate(blueprint, [TARGET_ID])),
      validate_without_discovery: await time(VALIDATE_N, validate(unknownBlueprint, [])),
    },
  };
}

let measured: Awaited<ReturnType<typeof measure>>;
try {
  measured = await measure();
} catch (error) {
  console.error(`server stderr:\n${stderrLines.map((line) => `  ${line}`).join("\n")}`);
  throw error;
} finally {
  await client.close(); // ends the server
  await rm(dir, { recursive: true, force: true });
}
const { startupMs, results } = measured;

console.log(`startup (spawn to a connected client, once): ${startupMs.toFixed(0)} ms`);
report(`tools/list: client.listTools() (${toolCount} tools)`, results.tools_list);
report(`tools/list: raw request (${Math.round(listBytes / 1024)} KB)`, results.tools_list_raw_request);
report(`validate_blueprint, ${TARGET_ID} (with discovery)`, results.validate_with_discovery);
report(`validate_blueprint, ${UNKNOWN_ID} (no discovery)`, results.validate_without_discovery);
console.log(
  `${BLUEPRINT}'s component is ${TARGET_ID}, the server's --target: every call on it discovers the shop ` +
    `database afresh (checked: discovered = [${TARGET_ID}]); renamed ${UNKNOWN_ID}, nothing is discovered`,
);
const logged = stderrLines.filter((line) => !line.includes("MCP server on stdio"));
if (logged.length) console.log(`server stderr:\n${logged.map((line) => `  ${line}`).join("\n")}`);

await mkdir(join(ROOT, "bench/results"), { recursive: true });
await writeFile(
  join(ROOT, "bench/results/mcp.json"),
  `${JSON.stringify(
    {
      measured_at: new Date().toISOString(),
      node: process.version,
      transport: "stdio",
      blueprint: BLUEPRINT,
      warm_up: WARM_UP,
      tools: toolCount,
      tools_list_bytes: listBytes,
      startup_ms: Math.round(startupMs),
      results,
    },
    null,
    2,
  )}\n`,
);
