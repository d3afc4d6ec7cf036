import type { Queryable } from "../client.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import { qualify } from "../identifiers.js";

/**
 * How PostgreSQL would print an index or a CHECK constraint the step asks for, to compare it with
 * one that already holds the name: the same statement is run on an empty temporary copy of the
 * table's columns (`CREATE TEMP TABLE … (LIKE table)`, which only reads the catalog), in a
 * transaction that is rolled back. So `phone is not null` and `(phone IS NOT NULL)` compare equal.
 */
class ShadowDone extends Error {}

const SHADOW = "pg_temp.ma_shadow";

async function onShadow(
  connection: PgConnection,
  schema: string,
  table: string,
  read: (tx: Queryable) => Promise<string>,
): Promise<string> {
  let result: string | undefined;
  try {
    await runDdl(connection, async (tx) => {
      await tx.query(`CREATE TEMP TABLE ma_shadow (LIKE ${qualify(schema, table)}) ON COMMIT DROP`);
      result = await read(tx);
      throw new ShadowDone(); // rolls back: nothing of the shadow is left
    });
  } catch (error) {
    if (!(error instanceof ShadowDone)) throw error;
  }
  if (result === undefined) throw new Error("the shadow table gave no definition");
  return result;
}

/**
 * pg_get_indexdef of `CREATE [UNIQUE] INDEX … ON table <tail>` from its ` USING` onwards, with
 * `UNIQUE ` in front when it is unique: comparable with `indexTail` of an existing index.
 */
export function shadowIndex(
  connection: PgConnection,
  schema: string,
  table: string,
  unique: boolean,
  tail: string,
): Promise<string> {
  return onShadow(connection, schema, table, async (tx) => {
    await tx.query(`CREATE ${unique ? "UNIQUE " : ""}INDEX ma_shadow_idx ON ${SHADOW} ${tail}`);
    const { rows } = await tx.query<{ definition: string }>(
      "SELECT pg_catalog.pg_get_indexdef('pg_temp.ma_shadow_idx'::regclass) AS definition",
    );
    return indexTail(rows[0]?.definition ?? "");
  });
}

/** `UNIQUE USING btree (a) WHERE (…)` of a pg_get_indexdef line (identifiers hold no spaces). */
export function indexTail(definition: string): string {
  const using = definition.indexOf(" USING ");
  return `${definition.startsWith("CREATE UNIQUE ") ? "UNIQUE" : ""}${definition.slice(using)}`;
}

/** pg_get_constraintdef of `CHECK (expression)` on the table. */
export function shadowCheck(
  connection: PgConnection,
  schema: string,
  table: string,
  expression: string,
): Promise<string> {
  return onShadow(connection, schema, table, async (tx) => {
    await tx.query(`ALTER TABLE ${SHADOW} ADD CONSTRAINT ma_shadow_check CHECK (${expression})`);
    const { rows } = await tx.query<{ definition: string }>(
      `SELECT pg_catalog.pg_get_constraintdef(oid) AS definition FROM pg_catalog.pg_constraint
        WHERE conrelid = '${SHADOW}'::regclass AND conname = 'ma_shadow_check'`,
    );
    return rows[0]?.definition ?? "";
  });
}
