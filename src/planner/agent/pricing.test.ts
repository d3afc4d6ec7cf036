import { describe, expect, it } from "vitest";
import { priceOf, UsageMeter } from "./pricing.js";

describe("pricing", () => {
  it("prices a model by its family prefix", () => {
    expect(priceOf("claude-opus-4-1-20250805")).toMatchObject({ input: 15, output: 75 });
    expect(priceOf("claude-sonnet-4-6")).toEqual({ input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 });
    expect(priceOf("claude-haiku-4-5")).toMatchObject({ input: 1, output: 5 });
    expect(priceOf("claude-3-5-haiku-latest")).toMatchObject({ input: 0.8, output: 4 });
    expect(priceOf("llama3.1")).toBeUndefined();
  });

  it("adds up calls and prices input, output, cache writes and reads apart", () => {
    const meter = new UsageMeter("claude-haiku-4-5");
    meter.add({
      input_tokens: 1000,
      output_tokens: 200,
      cache_creation_input_tokens: 4000,
      cache_read_input_tokens: null,
    });
    meter.add({ input_tokens: 500, output_tokens: 100, cache_read_input_tokens: 4000 });
    // 1500·$1 + 300·$5 + 4000·$1.25 + 4000·$0.10, per million.
    expect(meter.report()).toEqual({
      model: "claude-haiku-4-5",
      input_tokens: 1500,
      output_tokens: 300,
      cache_creation_input_tokens: 4000,
      cache_read_input_tokens: 4000,
      requests: 2,
      cost_usd: 0.0084,
    });
  });

  it("reports no cost for a model without a known price", () => {
    const meter = new UsageMeter("llama3.1");
    meter.add({ input_tokens: 10, output_tokens: 10 });
    expect(meter.report().cost_usd).toBeNull();
  });
});
