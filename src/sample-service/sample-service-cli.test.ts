import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/run.js";

const ROOT = join(import.meta.dirname, "..", "..");

describe("migration-architect sample-service", () => {
  it("prints where it listens, serves until SIGTERM, then exits 0", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "sample-service", "--name", "v2", "--port", "0"],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (c: string) => {
        stdout += c;
        const found = /^sample service v2 at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (found?.[1]) resolve(found[1]);
      });
      void exited.then((code) => reject(new Error(`exited with ${code} before listening: ${stderr}`)));
    });
    const response = await fetch(`${url}/version`);
    expect(response.headers.get("x-served-by")).toBe("v2");
    expect(await response.json()).toEqual({ service: "sample", version: "v2" });
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stdout).toBe(`sample service v2 at ${url}\n`);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it.each([
    [["--name", "v2", "--error-rate", "2"], /--error-rate 2 is not a share between 0 and 1/],
    [["--name", "v2", "--latency-ms", "soon"], /--latency-ms soon is not a number/],
    [["--name", "v2", "--port", "70000"], /--port 70000 is not a port/],
    [[], /required option '--name <version>'/],
  ])("refuses %j with exit 2", async (args, message) => {
    const err: string[] = [];
    const code = await runCli(["sample-service", ...args], { out: () => undefined, err: (t) => err.push(t) });
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(message);
  });
});
