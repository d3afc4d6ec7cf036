import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { cli } from "./support/cli.js";

const ROOT = join(import.meta.dirname, "..");
const EXAMPLE = join(ROOT, "examples", "rename-column.yaml");

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ma-cli-"));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("validate", () => {
  it("exits 0 on a valid blueprint and says so", async () => {
    const r = await cli("validate", EXAMPLE);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("valid (0 errors");
  });

  it("exits 1 on an invalid blueprint with file:line:col", async () => {
    const file = tempFile("bad.yaml", "blueprint:\n  id: bp\n  nmae: x\n");
    const r = await cli("validate", file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:3:3: error MA003 unknown key 'nmae'`);
    expect(r.stdout).toContain("did you mean 'name'?");
  });

  it("prints JSON with --json", async () => {
    const r = await cli("validate", "--json", EXAMPLE);
    const parsed = JSON.parse(r.stdout);
    expect(parsed).toMatchObject({ file: EXAMPLE, valid: true });
    expect(parsed.diagnostics.every((d: { code: string }) => /^MA\d{3}$/.test(d.code))).toBe(true);
  });

  it("exits 2 with one line naming a missing file or a directory", async () => {
    const missing = await cli("validate", "no/such/file.yaml");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("MA008 cannot read no/such/file.yaml: no such file");
    const dir = await cli("validate", ROOT);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain("it is a directory");
  });

  it("exits 2 on a usage mistake", async () => {
    expect((await cli("validate")).code).toBe(2);
    expect((await cli("frobnicate")).code).toBe(2);
    const at = await cli("validate", "--at", "yesterday", EXAMPLE);
    expect(at.code).toBe(2);
    expect(at.stderr).toContain('--at "yesterday" is not a date-time');
  });

  it("has true --help on every command", async () => {
    for (const command of ["validate", "explain", "graph", "schema"]) {
      const r = await cli(command, "--help");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: migration-architect ${command}`);
    }
  });
});

describe("explain", () => {
  it("prints the risk table, critical path and rollback plans", async () => {
    const r = await cli("explain", EXAMPLE);
    expect(r.code).toBe(0);
    for (const text of [
      "contract-email",
      "needed",
      "Critical path",
      "length 1m16s",
      "point-in-time to cp-expanded",
    ]) {
      expect(r.stdout).toContain(text);
    }
  });

  it("prints JSON with --json", async () => {
    const r = await cli("explain", "--json", EXAMPLE);
    const e = JSON.parse(r.stdout);
    expect(e.critical_path.steps).toEqual([
      "snapshot-users",
      "expand-email-address",
      "unique-email-address",
      "contract-email",
    ]);
    expect(e.steps.find((s: { id: string }) => s.id === "contract-email").needs_approval).toBe(true);
  });

  it("refuses an invalid blueprint with exit 1", async () => {
    const file = tempFile("cycle.yaml", "blueprint: {}\n");
    const r = await cli("explain", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("MA005");
  });
});

describe("graph", () => {
  it("draws mermaid with phases, groups and the critical path", async () => {
    const r = await cli("graph", EXAMPLE);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^flowchart TD/);
    expect(r.stdout).toContain('subgraph P1G1["group 2"]');
    expect(r.stdout).toContain("class s0,s1,s2,s3 critical");
    expect(r.stdout).toContain("class s3 approval");
    expect(r.stdout).toContain("linkStyle 0,1,2 stroke:#d62728");
  });

  it("draws dot", async () => {
    const r = await cli("graph", "--format", "dot", EXAMPLE);
    expect(r.stdout).toMatch(/^digraph blueprint \{/);
    expect(r.stdout).toContain("subgraph cluster_1");
    expect(r.stdout).toContain("{ rank=same; s2; } // group 2");
  });

  it("draws the steps of a parallel group side by side", async () => {
    const r = await cli("graph", "--format", "dot", join(ROOT, "examples", "demo", "blueprint.yaml"));
    expect(r.stdout).toContain("{ rank=same; s0; s1; } // group 1");
  });

  it("rejects an unknown format", async () => {
    expect((await cli("graph", "--format", "png", EXAMPLE)).code).toBe(2);
  });
});

describe("schema", () => {
  it("prints a JSON Schema that is strict", async () => {
    const r = await cli("schema");
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toContain("2020-12");
    expect(schema.properties.blueprint.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["blueprint"]);
  });
});

describe("the real binary", () => {
  it("prints no stack trace on bad input, unless --debug", async () => {
    const run = promisify(execFile);
    const file = tempFile("garbage.yaml", "blueprint: [\n");
    const result = await run(process.execPath, [
      "--import",
      "tsx",
      join(ROOT, "src/cli/main.ts"),
      "validate",
      file,
    ]).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(result).toMatchObject({ code: 1 });
    expect(`${result.stdout}${result.stderr}`).toContain("MA001");
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/\n\s+at /);
  });
});
