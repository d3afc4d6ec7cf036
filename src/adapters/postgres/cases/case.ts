import { expect } from "vitest";
import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";

export type AnyAction = ActionDef<Record<string, unknown>, PgConnection>;

/**
 * One lifecycle case (STYLE.md 15): the action and its params; `setup` brings the database to
 * the case's source state; `afterApply` checks the applied state; the rollback is the action's
 * inverse unless the case gives one (postgres.sql has none). `fixture` picks the database: the
 * app fixture with a few rows (default) or pagila (partitions, views, domains, triggers).
 */
export interface LifecycleCase {
  name: string;
  action: AnyAction;
  params: Record<string, unknown>;
  rollback?: { action: string; params: Record<string, unknown> };
  fixture?: "app" | "pagila";
  setup?: (c: PgConnection) => Promise<void>;
  afterApply: (c: PgConnection) => Promise<void>;
}

export const asAny = (a: unknown) => a as AnyAction;

/** A column of a table of `public`, as information_schema has it, or undefined. */
export async function column(c: PgConnection, table: string, name: string) {
  const { rows } = await c.client.query<{ type: string; nullable: string; default: string | null }>(
    `SELECT data_type AS type, is_nullable AS nullable, column_default AS default
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2`,
    [table, name],
  );
  return rows[0];
}

/** The first column of the first row of a query. */
export async function value(c: PgConnection, query: string): Promise<unknown> {
  const { rows } = await c.client.query(query);
  return rows[0] ? Object.values(rows[0])[0] : undefined;
}

/** Expects the query's first value, as a string, to be `expected`. */
export async function expectValue(c: PgConnection, query: string, expected: string): Promise<void> {
  expect(String(await value(c, query))).toBe(expected);
}
