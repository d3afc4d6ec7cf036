import { describe, expect, it } from "vitest";
import type { Backend } from "./backends.contract.js";
import { connectPostgres } from "./connection.js";
import { lockPostgres } from "./lock.js";

/** One run per component: a second holder is refused, with the first one named. */
export function lockContract(backend: Backend): void {
  describe("lock", () => {
    it("refuses a second holder, naming the first; free again once released", async () => {
      const db = await backend.fresh();
      // On PostgreSQL, the second holder comes through a connection of its own, as a second
      // executor would; an in-memory PGlite database has only the one.
      const other = db.url
        ? await connectPostgres({ id: "app-db", kind: "postgres", connection: db.url }, {})
        : undefined;
      const second = other?.connection ?? db.connection;
      try {
        const release = await lockPostgres(db.connection, "pid 101@host-a (run run-1)");
        await expect(lockPostgres(second, "pid 202@host-b (run run-2)")).rejects.toThrow(
          /is locked by pid 101@host-a \(run run-1\)/,
        );
        // The first holder is refused too: it is one lock per database, not per connection.
        await expect(lockPostgres(db.connection, "pid 101@host-a (run run-3)")).rejects.toThrow(/locked by/);
        await release();
        const again = await lockPostgres(second, "pid 202@host-b (run run-2)");
        await expect(lockPostgres(db.connection, "pid 101@host-a (run run-1)")).rejects.toThrow(
          /is locked by pid 202@host-b \(run run-2\)/,
        );
        await again();
      } finally {
        await other?.close();
        await db.close();
      }
    });
  });
}
