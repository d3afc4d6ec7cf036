import { describe, expect, it } from "vitest";
import type { Snapshot } from "../types.js";
import { postgresActions } from "./adapter.js";
import { type Backend, stepContext } from "./backends.contract.js";
import type { LifecycleCase } from "./cases/case.js";
import { columnCases } from "./cases/columns.js";
import { expandContractCases } from "./cases/expand-contract.js";
import { indexAndConstraintCases } from "./cases/indexes-and-constraints.js";
import { tableAndViewCases } from "./cases/tables-and-views.js";
import { snapshotPostgres } from "./snapshot.js";

const CASES: LifecycleCase[] = [
  ...columnCases,
  ...tableAndViewCases,
  ...indexAndConstraintCases,
  ...expandContractCases,
];

const shape = (s: Snapshot) => ({ fingerprint: s.fingerprint, checksums: s.checksums });

/**
 * apply → verify → rollback → source state by snapshot → apply again → apply once more (resume).
 * The caller runs `backend.setup()` and `teardown()` around it.
 */
export function lifecycleContract(backend: Backend): void {
  describe("action lifecycle", () => {
    it.each(CASES)("$name", async (c) => {
      const db = await (c.fixture === "pagila" ? backend.pagila() : backend.fresh());
      try {
        const conn = db.connection;
        await c.setup?.(conn);
        const params = c.action.params.parse(c.params);
        const source = await snapshotPostgres(conn, "app-db");

        // afterApply
        const logs: string[] = [];
        const outcome = await c.action.apply(conn, params, stepContext(logs));
        expect(await c.action.verify(conn, params)).toBe(true);
        await c.afterApply(conn);
        const applied = await snapshotPostgres(conn, "app-db");
        expect(shape(applied)).not.toEqual(shape(source));
        expect(outcome.figures).toBeDefined();

        // afterRollback: the inverse (or the case's rollback) brings back the source state exactly
        const inverse = c.rollback ?? c.action.inverse(params);
        if (!("action" in inverse)) throw new Error(`no automatic rollback: ${JSON.stringify(inverse)}`);
        expect(c.action.hasInverse(params)).toBe(!c.rollback);
        const undo = postgresActions.find((a) => a.name === inverse.action);
        if (!undo) throw new Error(`unknown rollback action ${inverse.action}`);
        const undoParams = undo.params.parse(inverse.params);
        await undo.apply(conn, undoParams, stepContext());
        expect(await undo.verify(conn, undoParams)).toBe(true);
        expect(shape(await snapshotPostgres(conn, "app-db"))).toEqual(shape(source));

        // apply again after the rollback: the same applied state
        await c.action.apply(conn, params, stepContext());
        expect(await c.action.verify(conn, params)).toBe(true);
        expect(shape(await snapshotPostgres(conn, "app-db"))).toEqual(shape(applied));

        // afterResume: applying once more (a resumed run) changes nothing
        await c.action.apply(conn, params, stepContext());
        expect(await c.action.verify(conn, params)).toBe(true);
        expect(shape(await snapshotPostgres(conn, "app-db"))).toEqual(shape(applied));
      } finally {
        await db.close();
      }
    });
  });
}
