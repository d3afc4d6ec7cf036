import { describe, expect, it } from "vitest";
import { redactSecrets, redactText } from "./redact.js";

describe("redaction", () => {
  it.each([
    ["postgres://app:s3cr3t@db:5432/shop", "postgres://app:***@db:5432/shop"],
    ["connect to postgresql://u:p%40ss@h/d failed", "connect to postgresql://u:***@h/d failed"],
    ["host=db password=hunter2 user=app", "host=db password=*** user=app"],
    ['{"api_key": "abc123"}', '{"api_key": "***"}'],
    ["Authorization: Bearer abcdefghijklmnop", "Authorization: Bearer ***"],
    ["key sk-ant-api03-abcdefghijkl", "key sk-ant-***"],
    ["postgres://app@db/shop", "postgres://app@db/shop"],
  ])("%s", (input, output) => {
    expect(redactText(input)).toBe(output);
  });

  it("redacts inside nested values", () => {
    expect(redactSecrets({ a: ["postgres://u:pw@h/d", 3], b: { c: "password=x" } })).toEqual({
      a: ["postgres://u:***@h/d", 3],
      b: { c: "password=***" },
    });
  });
});
