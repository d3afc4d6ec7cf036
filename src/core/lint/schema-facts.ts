import { z } from "zod";

/**
 * What the lint and the risk rules read of a database discovery: a structural subset of the
 * postgres adapter's `PgDiscovery` (the core cannot import adapters). Unknown keys are ignored,
 * so a richer discovery still fits; a discovery of another shape (another adapter's) does not.
 */
const Column = z.object({ name: z.string(), type: z.string(), nullable: z.boolean() });

const Constraint = z.object({
  name: z.string(),
  type: z.string(),
  columns: z.array(z.string()),
  definition: z.string(),
  validated: z.boolean(),
});

const Index = z.object({ name: z.string(), unique: z.boolean(), valid: z.boolean() });

const Table = z.object({
  schema: z.string(),
  name: z.string(),
  /** null: too large to count and never analyzed. */
  row_estimate: z.number().nullable(),
  size_bytes: z.number(),
  partitioned: z.boolean().default(false),
  columns: z.array(Column),
  indexes: z.array(Index).default([]),
  constraints: z.array(Constraint).default([]),
});

const View = z.object({
  schema: z.string(),
  name: z.string(),
  materialized: z.boolean(),
  reads: z
    .array(z.object({ schema: z.string(), table: z.string(), columns: z.array(z.string()) }))
    .default([]),
});

export const SchemaFacts = z.object({
  kind: z.literal("postgres"),
  tables: z.array(Table),
  views: z.array(View).default([]),
});
export type SchemaFacts = z.infer<typeof SchemaFacts>;
export type TableFacts = z.infer<typeof Table>;
export type ViewFacts = z.infer<typeof View>;

/** A discovery, narrowed and indexed for lookups by `schema.name`. */
export interface FactsIndex {
  facts: SchemaFacts;
  table(schema: string, name: string): TableFacts | undefined;
  view(schema: string, name: string): ViewFacts | undefined;
  /** The views that read this table (and, when a column is named, that column of it). */
  viewsReading(schema: string, table: string, column?: string): ViewFacts[];
}

const parsed = new WeakMap<object, FactsIndex | null>();

/**
 * Narrows an adapter's discovery to the facts the core reads, or undefined when it is not a
 * PostgreSQL discovery. Memoized per discovery object: validate asks once per step.
 */
export function schemaFacts(discovery: unknown): FactsIndex | undefined {
  if (typeof discovery !== "object" || discovery === null) return undefined;
  const known = parsed.get(discovery);
  if (known !== undefined) return known ?? undefined;
  const result = SchemaFacts.safeParse(discovery);
  const index = result.success ? indexFacts(result.data) : null;
  parsed.set(discovery, index);
  return index ?? undefined;
}

function indexFacts(facts: SchemaFacts): FactsIndex {
  const key = (schema: string, name: string) => `${schema}.${name}`;
  const tables = new Map(facts.tables.map((t) => [key(t.schema, t.name), t]));
  const views = new Map(facts.views.map((v) => [key(v.schema, v.name), v]));
  return {
    facts,
    table: (schema, name) => tables.get(key(schema, name)),
    view: (schema, name) => views.get(key(schema, name)),
    viewsReading: (schema, table, column) =>
      facts.views.filter((v) =>
        v.reads.some(
          (r) =>
            r.schema === schema && r.table === table && (column === undefined || r.columns.includes(column)),
        ),
      ),
  };
}
