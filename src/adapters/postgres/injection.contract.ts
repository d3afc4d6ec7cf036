import { describe, expect, it } from "vitest";
import { postgresActions } from "./adapter.js";
import { type Backend, stepContext } from "./backends.contract.js";
import { ACTION_SAMPLES } from "./cases/samples.js";
import type { PgConnection } from "./connection.js";

/** Names that must never reach SQL: a statement smuggled in, and a quote inside a name. */
const HOSTILE = ["users; DROP TABLE x", 'a"b', '"a""b"', "users --", ""];

/** Every place an identifier sits in a sample's params: `table`, `column`, `columns[0]`, `references.table`, … */
function identifierPaths(params: Record<string, unknown>): (string | number)[][] {
  const out: (string | number)[][] = [];
  for (const key of ["table", "column", "name", "from", "to", "schema"]) {
    if (typeof params[key] === "string") out.push([key]);
    if (key === "column" && params.column && typeof params.column === "object") out.push(["column", "name"]);
  }
  if (Array.isArray(params.columns)) {
    out.push(["columns", 0]);
    if (params.columns[0] && typeof params.columns[0] === "object") out.push(["columns", 0, "name"]);
  }
  if (params.references && typeof params.references === "object") out.push(["references", "table"]);
  if (params.set && typeof params.set === "object") out.push(["set"]);
  return out;
}

function withValueAt(params: Record<string, unknown>, path: (string | number)[], value: string) {
  const copy = structuredClone(params);
  if (path[0] === "set") return { ...copy, set: { [value]: "1" } };
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1) as string | number] = value;
  return copy;
}

/**
 * Issue 4, bad input: an identifier that is not a valid PostgreSQL identifier is rejected by the
 * params schema of every action, and names that need quoting (reserved words, capitals, `$`)
 * work because every identifier is quoted when SQL is built.
 */
export function injectionContract(backend: Backend): void {
  describe("identifiers: hostile names are rejected, odd valid ones are quoted", () => {
    it("every postgres action rejects a hostile name in every identifier of its params", () => {
      let checked = 0;
      for (const action of postgresActions) {
        const sample = ACTION_SAMPLES[action.name];
        if (!sample) throw new Error(`no sample params for ${action.name} in cases/samples.ts`);
        expect(action.params.safeParse(sample).success, action.name).toBe(true);
        for (const path of identifierPaths(sample)) {
          for (const name of HOSTILE) {
            const result = action.params.safeParse(withValueAt(sample, path, name));
            expect(result.success, `${action.name} ${path.join(".")} = ${JSON.stringify(name)}`).toBe(false);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(100);
    });

    it("runs actions on a table and columns named by reserved words, capitals and $, and nothing else is touched", async () => {
      const db = await backend.fresh();
      try {
        const c: PgConnection = db.connection;
        const run = async (name: string, params: Record<string, unknown>) => {
          const action = postgresActions.find((a) => a.name === name);
          if (!action) throw new Error(name);
          const parsed = action.params.parse(params);
          await action.apply(c, parsed, stepContext());
          expect(await action.verify(c, parsed), name).toBe(true);
        };
        const tablesBefore = await c.client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace",
        );
        await run("postgres.create_table", {
          table: "Select",
          columns: [
            { name: "from", type: "bigint" },
            { name: "User$Id", type: "text" },
          ],
          primary_key: ["from"],
        });
        await c.client.exec(`INSERT INTO "Select" ("from", "User$Id") VALUES (1, 'a'), (2, NULL)`);
        await run("postgres.add_column", { table: "Select", column: { name: "Where", type: "int" } });
        await run("postgres.backfill", { table: "Select", set: { Where: '"from" * 10' } });
        await run("postgres.create_index", { table: "Select", columns: ["User$Id", "Where"] });
        await run("postgres.add_check_constraint", {
          table: "Select",
          name: "Check",
          expression: '"Where" >= 0',
        });
        await run("postgres.rename_column", {
          table: "Select",
          from: "User$Id",
          to: "order",
          stage: "expand",
        });
        await run("postgres.drop_column", { table: "Select", column: "Where" });
        const rows = await c.client.query<{ from: string; order: string | null }>(
          `SELECT "from"::text AS from, "order" FROM "Select" ORDER BY "from"`,
        );
        expect(rows.rows).toEqual([
          { from: "1", order: "a" },
          { from: "2", order: null },
        ]);
        const users = await c.client.query<{ n: number }>("SELECT count(*)::int AS n FROM users");
        expect(users.rows[0]?.n).toBe(30);
        const tablesAfter = await c.client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND relname NOT LIKE 'ma\\_backup\\_%'",
        );
        expect(tablesAfter.rows[0]?.n).toBe((tablesBefore.rows[0]?.n ?? 0) + 1);
      } finally {
        await db.close();
      }
    });
  });
}
