import { describe, expect, it } from "vitest";
import type { Snapshot } from "../types.js";
import { addColumn } from "./actions/add-column.js";
import { dropColumn } from "./actions/drop-column.js";
import { restoreColumn } from "./actions/restore-column.js";
import { APP_SCHEMA, APP_SEED, type Backend, stepContext } from "./backends.contract.js";
import { snapshotPostgres } from "./snapshot.js";

const shape = (s: Snapshot) => ({ fingerprint: s.fingerprint, checksums: s.checksums });

/**
 * The fixture's whole seed (20,000 users, 100,000 order items): loads it, and takes a drop and
 * restore of users.phone and an add/drop of a column round trip, timing each part. Prints one line.
 */
export function fullSeedContract(backend: Backend): void {
  describe("the full fixture seed", () => {
    it("round-trips drop_column/restore_column and add_column on 20,000 users", async () => {
      const db = await backend.empty();
      const c = db.connection;
      const times: string[] = [];
      const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
        const started = performance.now();
        const value = await work();
        times.push(`${label} ${Math.round(performance.now() - started)}ms`);
        return value;
      };
      try {
        await timed("schema+seed", () => c.client.exec(`${APP_SCHEMA}\n${APP_SEED}`));
        const source = await timed("snapshot", () => snapshotPostgres(c, "app-db"));
        expect(source.checksums["public.order_items"]).toMatch(/^100000:/);
        const dropped = await timed("drop_column", () =>
          dropColumn.apply(c, { table: "users", column: "phone" }, stepContext()),
        );
        expect(dropped.figures?.backed_up_rows).toBe(20_000);
        await timed("restore_column", () =>
          restoreColumn.apply(c, { table: "users", column: "phone" }, stepContext()),
        );
        expect(shape(await snapshotPostgres(c, "app-db"))).toEqual(shape(source));
        const column = { table: "orders", column: { name: "shipped_at", type: "timestamptz" } };
        await timed("add_column", () => addColumn.apply(c, column, stepContext()));
        await timed("drop_column (inverse)", () =>
          dropColumn.apply(c, { table: "orders", column: "shipped_at" }, stepContext()),
        );
        expect(shape(await snapshotPostgres(c, "app-db"))).toEqual(shape(source));
        console.log(`${backend.name}, full fixture seed: ${times.join(", ")}`);
      } finally {
        await db.close();
      }
    });
  });
}
