import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Backend,
  type Fresh,
  pgliteBackend,
  postgresBackend,
  stepContext,
} from "../backends.contract.js";
import type { PgConnection } from "../connection.js";
import { snapshotPostgres } from "../snapshot.js";
import { createView } from "./create-view.js";
import { dropView } from "./drop-view.js";
import { replaceView } from "./replace-view.js";
import { restoreView } from "./restore-view.js";

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
const backends: Backend[] = [
  pgliteBackend(),
  ...(process.env.TEST_DATABASE_URL ? [postgresBackend(process.env.TEST_DATABASE_URL)] : []),
];
let backend: Backend;

async function withDb(fn: (c: PgConnection) => Promise<void>): Promise<void> {
  const db: Fresh = await backend.fresh();
  try {
    await fn(db.connection);
  } finally {
    await db.close();
  }
}

const shape = async (c: PgConnection) => {
  const s = await snapshotPostgres(c, "db");
  return { fingerprint: s.fingerprint, checksums: s.checksums };
};
const first = async (c: PgConnection, sql: string) =>
  Object.values((await c.client.query(sql)).rows[0] ?? {})[0];
const ctx = () => stepContext();
/** Runs an action's inverse, as a rollback would. */
async function undo(c: PgConnection, inverse: { action: string; params: Record<string, unknown> }) {
  const action = [createView, dropView, replaceView, restoreView].find((a) => a.name === inverse.action);
  if (!action) throw new Error(`unexpected inverse ${inverse.action}`);
  const params = action.params.parse(inverse.params) as never;
  const outcome = await action.apply(c, params, ctx());
  expect(await action.verify(c, params)).toBe(true);
  return outcome;
}

const V1 = "SELECT id, email FROM users";
const V2 = "SELECT id, email FROM users WHERE id > 10";
const V3 = "SELECT id, email FROM users WHERE id > 20";

describe.each(backends)("on $name", (b) => {
  beforeAll(async () => {
    backend = b;
    await b.setup();
  });
  afterAll(() => b.teardown());

  describe("view action params", () => {
    it.each(["v; DROP TABLE users", 'a"b', "ma_backup_views"])("refuse the view name %j", (name) => {
      expect(createView.params.safeParse({ name, sql: V1 }).success).toBe(false);
      expect(dropView.params.safeParse({ name }).success).toBe(false);
      expect(restoreView.params.safeParse({ name }).success).toBe(false);
    });

    it("take a query only", () => {
      const ok = (sql: string) => replaceView.params.safeParse({ name: "v", sql }).success;
      expect(ok("DELETE FROM users")).toBe(false);
      expect(ok(`${V1};`)).toBe(false);
      expect(ok("")).toBe(false);
      expect(ok("  with x AS (SELECT 1) SELECT * FROM x")).toBe(true);
      expect(ok("(SELECT 1) UNION (SELECT 2)")).toBe(true);
    });

    it("take kept_as only as the inverses write it", () => {
      expect(dropView.params.safeParse({ name: "v", kept_as: "replaced_0123456789abcdef" }).success).toBe(
        false,
      );
      expect(dropView.params.safeParse({ name: "v", kept_as: "created_0123" }).success).toBe(false);
      expect(dropView.params.safeParse({ name: "v", kept_as: "created_0123456789abcdef" }).success).toBe(
        true,
      );
    });

    it("a second statement never reaches the database", async () => {
      await withDb(async (c) => {
        const p = createView.params.parse({ name: "v", sql: `${V1}; DROP TABLE payments` });
        await expect(createView.apply(c, p, ctx())).rejects.toThrow();
        expect(await first(c, "SELECT count(*)::int FROM payments")).toBe(30);
      });
    });
  });

  describe("postgres.create_view", () => {
    it("accepts the same query again, refuses another and a name a table holds", async () => {
      await withDb(async (c) => {
        await createView.apply(c, { name: "v", sql: V1 }, ctx());
        const again = await createView.apply(
          c,
          { name: "v", sql: "select id,   email from public.users" },
          ctx(),
        );
        expect(again.figures?.changed).toBe(false);
        expect(await createView.verify(c, { name: "v", sql: V1 })).toBe(true);
        expect(await createView.verify(c, { name: "v", sql: V2 })).toBe(false);
        await expect(createView.apply(c, { name: "v", sql: V2 }, ctx())).rejects.toThrow(
          /cannot create view v: a view of that name exists with another query: use replace_view/,
        );
        await expect(createView.apply(c, { name: "users", sql: V1 }, ctx())).rejects.toThrow(
          /a table, sequence or index is named public.users/,
        );
        // verify's probe leaves nothing behind
        expect(
          await first(c, "SELECT count(*)::int FROM pg_class WHERE relname LIKE 'ma\\_backup\\_probe%'"),
        ).toBe(0);
      });
    });

    it("undoing 'drop v, then create a new v' puts back the first v", async () => {
      await withDb(async (c) => {
        await c.client.exec(`CREATE VIEW v AS ${V1}; COMMENT ON VIEW v IS 'the first'`);
        const source = await shape(c);
        await dropView.apply(c, { name: "v" }, ctx());
        await createView.apply(c, { name: "v", sql: V2 }, ctx());
        await undo(c, createView.inverse({ name: "v", sql: V2 }));
        await undo(c, dropView.inverse({ name: "v" }));
        expect(await shape(c)).toEqual(source);
        expect(await first(c, "SELECT obj_description('v'::regclass, 'pg_class')")).toBe("the first");
      });
    });
  });

  describe("postgres.drop_view and restore_view", () => {
    it("refuses a view another view reads, and a materialized view", async () => {
      await withDb(async (c) => {
        await c.client.exec(
          "CREATE VIEW big_orders AS SELECT * FROM order_summaries WHERE total_cents > 1000; CREATE MATERIALIZED VIEW m AS SELECT 1 AS one",
        );
        await expect(dropView.apply(c, { name: "order_summaries" }, ctx())).rejects.toThrow(
          /cannot drop view order_summaries: still used by view big_orders; drop those first/,
        );
        await expect(dropView.apply(c, { name: "m" }, ctx())).rejects.toThrow(/it is a materialized view/);
      });
    });

    it("puts back options, comments, column defaults, triggers, rules and grants exactly", async () => {
      await withDb(async (c) => {
        await c.client.exec(`
          CREATE VIEW active_users WITH (security_barrier = true) AS SELECT id, email, full_name FROM users WHERE phone IS NOT NULL
            WITH CASCADED CHECK OPTION;
          COMMENT ON VIEW active_users IS 'users with a phone';
          COMMENT ON COLUMN active_users.email IS 'login';
          ALTER VIEW active_users ALTER COLUMN full_name SET DEFAULT 'anonymous';
          CREATE FUNCTION active_users_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
          CREATE TRIGGER active_users_ins INSTEAD OF INSERT ON active_users FOR EACH ROW EXECUTE FUNCTION active_users_insert();
          CREATE RULE active_users_del AS ON DELETE TO active_users DO INSTEAD NOTHING;
          GRANT SELECT ON active_users TO PUBLIC;`);
        const catalog = () =>
          c.client.query(`SELECT c.reloptions::text, obj_description(c.oid, 'pg_class') AS comment,
                  col_description(c.oid, 2) AS email_comment, c.relacl::text,
                  (SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = c.oid) AS default,
                  (SELECT string_agg(pg_get_triggerdef(oid), ';') FROM pg_trigger WHERE tgrelid = c.oid) AS triggers,
                  (SELECT string_agg(rulename, ',') FROM pg_rewrite WHERE ev_class = c.oid) AS rules
             FROM pg_class c WHERE c.relname = 'active_users'`);
        const before = (await catalog()).rows;
        const source = await shape(c);
        await dropView.apply(c, { name: "active_users" }, ctx());
        expect(await dropView.verify(c, { name: "active_users" })).toBe(true);
        expect((await dropView.apply(c, { name: "active_users" }, ctx())).notes).toEqual([
          "active_users is already dropped, its definition kept: nothing done",
        ]);
        await restoreView.apply(c, { name: "active_users" }, ctx());
        expect((await catalog()).rows).toEqual(before);
        expect(before[0]).toMatchObject({ reloptions: "{security_barrier=true,check_option=cascaded}" });
        expect(await shape(c)).toEqual(source);
        const rerun = await restoreView.apply(c, { name: "active_users" }, ctx());
        expect(rerun.figures?.changed).toBe(false);
      });
    });

    it("restore_view refuses when the view was created again, and says when nothing is kept", async () => {
      await withDb(async (c) => {
        await dropView.apply(c, { name: "order_summaries" }, ctx());
        await expect(restoreView.apply(c, { name: "nothing_here" }, ctx())).rejects.toThrow(
          /view nothing_here does not exist: nothing is kept for it in public.ma_backup_views \(slot dropped\)/,
        );
        await c.client.exec(`CREATE VIEW order_summaries AS ${V1}`);
        await expect(restoreView.apply(c, { name: "order_summaries" }, ctx())).rejects.toThrow(
          /a view of that name exists again/,
        );
      });
    });
  });

  describe("postgres.replace_view", () => {
    it("refuses a query that drops a column, saying what to do", async () => {
      await withDb(async (c) => {
        const p = { name: "order_summaries", sql: "SELECT o.id, o.status FROM orders o" };
        await expect(replaceView.apply(c, p, ctx())).rejects.toThrow(
          /cannot replace view public.order_summaries: .*may only add new ones at the end; to drop, rename or retype a column, use drop_view then create_view/,
        );
        await expect(replaceView.apply(c, { name: "nope", sql: V1 }, ctx())).rejects.toThrow(
          /view nope does not exist: replace_view changes an existing view; use create_view/,
        );
      });
    });

    it("keeps the view's options, and two replaces undo in reverse order, each restore re-runnable", async () => {
      await withDb(async (c) => {
        await c.client.exec(`CREATE VIEW v WITH (security_barrier = true) AS ${V1}`);
        const source = await shape(c);
        await replaceView.apply(c, { name: "v", sql: V2 }, ctx());
        const middle = await shape(c);
        expect(await first(c, "SELECT reloptions::text FROM pg_class WHERE relname = 'v'")).toBe(
          "{security_barrier=true}",
        );
        await replaceView.apply(c, { name: "v", sql: V3 }, ctx());
        expect((await replaceView.apply(c, { name: "v", sql: V3 }, ctx())).figures?.changed).toBe(false);
        expect(await first(c, "SELECT count(*)::int FROM v")).toBe(10);

        await undo(c, replaceView.inverse({ name: "v", sql: V3 }));
        expect(await shape(c)).toEqual(middle);
        await undo(c, replaceView.inverse({ name: "v", sql: V3 })); // a resumed rollback
        expect(await shape(c)).toEqual(middle);
        await undo(c, replaceView.inverse({ name: "v", sql: V2 }));
        expect(await shape(c)).toEqual(source);
        expect(
          restoreView.hasInverse(
            restoreView.params.parse(replaceView.inverse({ name: "v", sql: V2 }).params),
          ),
        ).toBe(false);
      });
    });

    it("restores in place when another view depends on it, and refuses when that cannot work", async () => {
      await withDb(async (c) => {
        await c.client.exec(`CREATE VIEW v AS ${V1}; CREATE VIEW w AS SELECT id FROM v`);
        const source = await shape(c);
        await replaceView.apply(c, { name: "v", sql: V2 }, ctx());
        await undo(c, replaceView.inverse({ name: "v", sql: V2 }));
        expect(await shape(c)).toEqual(source);

        const wider = `SELECT id, email, full_name FROM users`;
        await replaceView.apply(c, { name: "v", sql: wider }, ctx());
        const inverse = replaceView.inverse({ name: "v", sql: wider });
        await expect(restoreView.apply(c, restoreView.params.parse(inverse.params), ctx())).rejects.toThrow(
          /cannot restore view public.v: its previous query cannot be put back in place \(cannot drop columns from view\), and it cannot be dropped and created again while view w depends on it: drop those first/,
        );
        // Without the dependent view, the added column goes with a drop and create.
        await c.client.exec("DROP VIEW w");
        await undo(c, inverse);
        expect(
          await first(c, "SELECT count(*)::int FROM information_schema.columns WHERE table_name = 'v'"),
        ).toBe(2);
      });
    });

    it("replaces again when the view was changed since an earlier replace with the same SQL", async () => {
      await withDb(async (c) => {
        await c.client.exec(`CREATE VIEW v AS ${V1}`);
        await replaceView.apply(c, { name: "v", sql: V2 }, ctx());
        await c.client.exec(`CREATE OR REPLACE VIEW v AS ${V3}`);
        const outcome = await replaceView.apply(c, { name: "v", sql: V2 }, ctx());
        expect(outcome.figures?.changed).toBe(true);
        expect(outcome.notes?.join(" ")).toMatch(
          /an older kept definition of v \(replaced_[0-9a-f]{16}\) was set aside/,
        );
        await undo(c, replaceView.inverse({ name: "v", sql: V2 }));
        expect(await first(c, "SELECT count(*)::int FROM v")).toBe(10);
      });
    });
  });
});
