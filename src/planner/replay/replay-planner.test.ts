import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { APP_SCHEMA, SMALL_SEED } from "../../../src/adapters/postgres/backends.contract.js";
import { loadScript, startFakeAnthropic } from "../../../test/support/fake-anthropic.js";
import { type PlannerDb, plannerDb } from "../../../test/support/planner-db.js";
import { defaultCatalog } from "../../services/catalog.js";
import type { SystemSession } from "../../services/system.js";
import { anthropicPlanner } from "../agent/anthropic-planner.js";
import { DEFAULT_RECORD_DIR, type RecordedTranscript } from "../agent/recording.js";
import { selectPlanner } from "../select.js";
import type { PlanRequest, PlanResult } from "../types.js";
import { describeDifference } from "./difference.js";
import { RecordingNotFoundError } from "./recordings.js";
import { ReplayDirectoryError, ReplayExhaustedError } from "./replay-planner.js";

const MODEL = "claude-sonnet-4-6";
const REQUEST = "rename users.email to email_address without downtime";
const NOW = new Date("2026-11-24T10:00:00Z");

const dbs: PlannerDb[] = [];
let db: PlannerDb;
let dir: string;
let recordedFile: string;
let recorded: PlanResult;

const request = (system: SystemSession, now = NOW, text = REQUEST): PlanRequest => ({
  request: text,
  system,
  catalog: defaultCatalog(),
  now,
});

async function database(scripts: string[]): Promise<PlannerDb> {
  const made = await plannerDb(scripts);
  dbs.push(made);
  return made;
}

/** Replays from `dir` as `--planner replay:<dir>` does: no key, no server. */
async function replay(plan: PlanRequest): Promise<PlanResult> {
  const planner = await selectPlanner(`replay:${dir}`, {});
  return planner.plan(plan);
}

beforeAll(async () => {
  db = await database([APP_SCHEMA, SMALL_SEED]);
  dir = await mkdtemp(join(tmpdir(), "ma-replay-"));
  // Record as MA_RECORD=1 does, with the real SDK against the fake Messages API, in a sub-directory.
  const fake = await startFakeAnthropic(loadScript("rename-email"));
  try {
    const planner = anthropicPlanner({
      model: MODEL,
      apiKey: "sk-ant-test-key",
      baseURL: fake.baseURL,
      maxRetries: 0,
      record: join(dir, "nightly"),
      env: {},
    });
    recorded = await planner.plan(request(db.system));
  } finally {
    await fake.close();
  }
  const [file] = await readdir(join(dir, "nightly"));
  recordedFile = join(dir, "nightly", file ?? "");
});

afterAll(async () => {
  vi.unstubAllGlobals();
  for (const d of dbs) await d.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("replay planner", () => {
  it("replays a recording offline, without a key: the same blueprint, notes and usage", async () => {
    vi.stubGlobal("fetch", () => Promise.reject(new Error("the replay must not use the network")));
    try {
      const planner = await selectPlanner(`replay:${dir}`, {});
      expect(planner.name).toBe(`replay:${dir}`);
      const result = await planner.plan(request(db.system));
      if (result.kind !== "blueprint" || recorded.kind !== "blueprint")
        throw new Error("expected blueprints");
      expect(result.valid).toBe(true);
      expect(result.blueprint).toEqual(recorded.blueprint);
      expect(result.diagnostics).toEqual(recorded.diagnostics);
      expect(result.notes).toEqual(recorded.notes);
      expect(result.usage).toEqual(recorded.usage);
      expect(result.usage).toMatchObject({ input_tokens: 3504, output_tokens: 1816, requests: 2 });
      expect(result.transcript.slice(0, -1)).toEqual(recorded.transcript);
      expect(result.transcript.at(-1)?.text).toMatch(
        /^replayed .*nightly.*\.json: 2 of its 2 model call\(s\)$/,
      );
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("takes a fresh copy of the system at another time as the same: no divergence", async () => {
    const copy = await database([APP_SCHEMA, SMALL_SEED]);
    const later = new Date("2027-01-05T08:30:00Z");
    const result = await replay(request(copy.system, later));
    if (result.kind !== "blueprint" || recorded.kind !== "blueprint") throw new Error("expected blueprints");
    expect(result.valid).toBe(true);
    expect(result.notes).toEqual(recorded.notes);
    expect(result.blueprint.created_at).toBe(later.toISOString());
    expect(result.blueprint.source_state.components).toEqual([
      { id: "app-db", kind: "postgres", connection: `pglite:${copy.path}` },
    ]);
    expect(result.blueprint.phases).toEqual(recorded.blueprint.phases);
    expect(result.usage).toEqual(recorded.usage);
  });

  it("replays the newest recording of the request, with or without spaces around it, and passes over other JSON", async () => {
    const older = JSON.parse(await readFile(recordedFile, "utf8")) as RecordedTranscript;
    const response = older.turns[1]?.response as { usage: { output_tokens: number } };
    response.usage.output_tokens = 1;
    await mkdir(join(dir, "old"), { recursive: true });
    await writeFile(join(dir, "old", "20000101T000000-rename.json"), JSON.stringify(older));
    await writeFile(join(dir, "scripted.json"), JSON.stringify(loadScript("rename-email")));
    await writeFile(join(dir, "broken.json"), "{ not json");
    try {
      const result = await replay(request(db.system, NOW, `  ${REQUEST}\n`));
      expect(result.usage).toEqual(recorded.usage);
    } finally {
      await rm(join(dir, "old"), { recursive: true });
      await rm(join(dir, "scripted.json"));
      await rm(join(dir, "broken.json"));
    }
  });

  it("says which directory and request have no recording, and how to record one", async () => {
    const error = await replay(request(db.system, NOW, "drop the orders table")).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(RecordingNotFoundError);
    expect(error?.message).toContain(`no recording in ${dir} of the request "drop the orders table"`);
    expect(error?.message).toContain(`are of: ${JSON.stringify(REQUEST)}`);
    expect(error?.message).toMatch(/MA_RECORD=1 .*--planner anthropic/);
  });

  it("reports a divergent system: the turn, the tool result and where it differs, and still replays", async () => {
    const other = await database([APP_SCHEMA, SMALL_SEED, "CREATE TABLE audit_log (id bigint PRIMARY KEY)"]);
    const result = await replay(request(other.system));
    if (result.kind !== "blueprint") throw new Error(`expected a blueprint, got ${JSON.stringify(result)}`);
    expect(result.valid).toBe(true);
    const divergences = result.notes.filter((n) => n.startsWith("replay of "));
    expect(divergences).toHaveLength(1);
    expect(divergences[0]).toMatch(
      /^replay of .*\.json: turn 2: the discover_system result \(toolu_01DiscoverSys9aQ2\) differs from the recording at components\[app-db\]\.postgres\.fingerprint: recorded "sha256:\w+", now "sha256:\w+"; at components\[app-db\]\.postgres\.tables\[audit_log\]: recorded \(none\), now \{"schema":"public","name":"audit_log"/,
    );
    expect(result.transcript.map((e) => e.text)).toContain(divergences[0]);
  });

  it("fails, naming the divergence, when the agent needs a call the recording does not hold", async () => {
    const other = await database([
      "CREATE TABLE users (id bigint PRIMARY KEY, mail text NOT NULL)",
      "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id))",
    ]);
    const error = await replay(request(other.system)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(ReplayExhaustedError);
    expect(error?.message).toMatch(/holds 2 model call\(s\) and the agent asked for call 3/);
    expect(error?.message).toContain("turn 2: the discover_system result (toolu_01DiscoverSys9aQ2) differs");
    expect(error?.message).toMatch(/MA_RECORD=1 .*--planner anthropic/);
  });

  it("says which directory is missing, `replay` alone naming the default one", async () => {
    await expect(selectPlanner(`replay:${join(dir, "absent")}`, {})).rejects.toThrow(ReplayDirectoryError);
    if (existsSync(DEFAULT_RECORD_DIR)) {
      expect((await selectPlanner("replay", {})).name).toBe(`replay:${DEFAULT_RECORD_DIR}`);
    } else {
      await expect(selectPlanner("replay", {})).rejects.toThrow(`${DEFAULT_RECORD_DIR} is not a directory`);
    }
  });
});

describe("describeDifference", () => {
  it("matches named items by name, reads JSON text as JSON and texts line by line", () => {
    expect(describeDifference({ a: [1, 2] }, { a: [1, 3] })).toBe("at a[1]: recorded 2, now 3");
    const tables = (rows: number, extra: string[] = []) =>
      JSON.stringify({
        fingerprint: `sha256:${rows}`,
        tables: [{ name: "users", rows: 3 }, ...extra.map((name) => ({ name })), { name: "orders", rows }],
      });
    expect(describeDifference(tables(5), tables(6))).toBe(
      'at fingerprint: recorded "sha256:5", now "sha256:6"; at tables[orders].rows: recorded 5, now 6',
    );
    expect(describeDifference(tables(5), tables(5, ["a", "b", "c"]), 2)).toBe(
      'at tables[a]: recorded (none), now {"name":"a"}; at tables[b]: recorded (none), now {"name":"b"}; and more',
    );
    expect(describeDifference("a\nb\nc", "a\nB\nc")).toBe('at line 2: recorded "b", now "B"');
    expect(describeDifference({ x: 1 }, { x: 1 })).toBeUndefined();
  });
});
