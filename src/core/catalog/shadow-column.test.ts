import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { boundedName, shadowColumnName } from "./shadow-column.js";

describe("bounded names", () => {
  it("joins the parts when the name fits in 63 bytes", () => {
    expect(boundedName("ma_sync_", ["orders", "total_cents"])).toBe("ma_sync_orders_total_cents");
    expect(shadowColumnName("total_cents")).toBe("total_cents_ma_new");
  });

  it("past 63 bytes (not characters), hashes the parts and keeps prefix and suffix", () => {
    const long = "é".repeat(28); // 56 bytes, and 7 of "_ma_new": 63, it fits

    expect(shadowColumnName(long)).toBe(`${long}_ma_new`);
    const longer = "é".repeat(29); // 58 + 7 = 65: hashed
    const name = shadowColumnName(longer);
    expect(new TextEncoder().encode(name).length).toBe(63);
    // The same name as the adapter always gave (node:crypto's sha256 of the parts): objects that
    // databases already hold keep their names.
    const hash = createHash("sha256").update(longer).digest("hex");
    expect(name).toBe(`${hash.slice(0, 56)}_ma_new`);
    const parts = ["t".repeat(40), "c".repeat(40)];
    const joined = createHash("sha256").update(parts.join("\u0000")).digest("hex");
    expect(boundedName("ma_sync_", parts)).toBe(`ma_sync_${joined.slice(0, 55)}`);
  });
});
