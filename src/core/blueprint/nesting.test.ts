import { describe, expect, it } from "vitest";
import { nestingDepth } from "./nesting.js";

describe("nestingDepth", () => {
  it.each([
    ["a: 1", 0],
    ["a: [1, [2, {b: 3}]]", 3],
    ['{"a": "[[[[", "b": ["]"]}', 2],
    ["a: 'it''s [[[' \nb: [x]", 1],
    ["a: it's [x]", 1],
    ["a: [1] # [[[[ a comment\nb: {c: [d]}", 2],
  ])("%j is %d deep", (text, depth) => {
    expect(nestingDepth(text).depth).toBe(depth);
  });

  it("stops at the limit and says where", () => {
    const text = `a: ${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    expect(nestingDepth(text, 256)).toEqual({ depth: 257, offset: 3 + 256 });
  });
});
