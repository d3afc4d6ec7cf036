import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codesMarkdown } from "../src/cli/commands/codes.js";

const README = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");

describe("README", () => {
  it("lists every diagnostic code, exactly as `codes --markdown` prints them", () => {
    const block = README.split("<!-- codes:start -->")[1]?.split("<!-- codes:end -->")[0]?.trim();
    expect(block).toBe(codesMarkdown());
  });

  it("quick start names the test command", () => {
    expect(README).toContain("npm test");
  });
});
