import type { PlanUsage } from "../types.js";

/** USD per million tokens. Cache writes cost 1.25× input, cache reads 0.1× input (5-minute cache). */
interface Price {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

const price = (input: number, output: number): Price => ({
  input,
  output,
  cacheWrite: input * 1.25,
  cacheRead: input / 10,
});

/** Model families by id prefix, most specific first. A model not listed has no known price. */
const PRICES: ReadonlyArray<readonly [prefix: string, price: Price]> = [
  ["claude-opus-4", price(15, 75)],
  ["claude-sonnet-4", price(3, 15)],
  ["claude-haiku-4", price(1, 5)],
  ["claude-3-5-haiku", price(0.8, 4)],
];

/** The price of a model, by its family prefix; undefined when not known. */
export function priceOf(model: string): Price | undefined {
  return PRICES.find(([prefix]) => model.startsWith(prefix))?.[1];
}

/** Token counts of one or more model calls, in the Messages API's terms. */
export interface TokenCounts {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

/** Adds up the usage of every call of one plan, and prices it at the end. */
export class UsageMeter {
  private readonly totals: TokenCounts = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
  };
  private requests = 0;

  constructor(private readonly model: string) {}

  /** One model call's usage (missing figures count as 0). */
  add(usage: Partial<Record<keyof TokenCounts, number | null | undefined>>): void {
    this.requests += 1;
    for (const key of Object.keys(this.totals) as (keyof TokenCounts)[]) this.totals[key] += usage[key] ?? 0;
  }

  /** The totals and their cost; `cost_usd` is null for a model this build has no price for. */
  report(): PlanUsage {
    const p = priceOf(this.model);
    const t = this.totals;
    const cost = p
      ? (t.input_tokens * p.input +
          t.output_tokens * p.output +
          t.cache_creation_input_tokens * p.cacheWrite +
          t.cache_read_input_tokens * p.cacheRead) /
        1_000_000
      : null;
    return {
      model: this.model,
      ...t,
      requests: this.requests,
      // Rounded to a millionth of a dollar so that equal usage prints equally.
      cost_usd: cost === null ? null : Math.round(cost * 1e6) / 1e6,
    };
  }
}
