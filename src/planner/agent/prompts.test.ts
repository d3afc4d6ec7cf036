import { describe, expect, it } from "vitest";
import { loadPrompt, PromptVersionError, parsePrompt } from "./prompts.js";

describe("prompts", () => {
  it("reads the version from the first line and keeps the rest as the text", () => {
    expect(parsePrompt("version: demo/3\r\n\nHello.\n", "demo.md")).toEqual({
      version: "demo/3",
      text: "Hello.",
    });
  });

  it("refuses a prompt without a version line, naming the file", () => {
    expect(() => parsePrompt("Hello.\n", "prompts/x.md")).toThrow(PromptVersionError);
    expect(() => parsePrompt("Hello.\n", "prompts/x.md")).toThrow(
      /prompts\/x\.md.*version: planner-system\/1/,
    );
  });

  it("loads the planner's system prompt from prompts/", async () => {
    const prompt = await loadPrompt("planner-system");
    expect(prompt.version).toBe("planner-system/1");
    expect(prompt.text).toContain("submit_blueprint");
    expect(prompt.text).toMatch(/^You are the planner/);
    expect(prompt.text.split("\n").length).toBeLessThanOrEqual(150);
  });
});
