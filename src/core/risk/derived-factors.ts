import type { RiskValues } from "../catalog/catalog.js";
import { schemaFacts } from "../lint/schema-facts.js";

/**
 * Risk factors derived from the discovered state (DESIGN.md §3 Risk): the blast radius from a
 * table's rows and bytes, the data sensitivity from its columns' names and types. Actions raise
 * their static factors with these (`raiseRisk`); a factor is never lowered by discovery.
 */

const clamp = (x: number) => Math.min(1, Math.max(0, x));
const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * How much of the system a step on this table can disturb, 0.1–1.0, on a log scale: 30 rows
 * 0.25, 10,000 rows 0.5, 1,000,000 rows 0.7, 100,000,000 rows 0.9; by size, 1 MB 0.3, 1 GB 0.6,
 * 100 GB 0.8. The larger of the two counts; unknown rows (`null`) go by size alone.
 *
 * @example blastRadiusFromSize(1_200_000, 182 * 1024 ** 2) // 0.71
 */
export function blastRadiusFromSize(rows: number | null, bytes: number): number {
  const byRows = rows === null ? 0 : 0.1 + 0.1 * Math.log10(Math.max(0, rows) + 1);
  // 10 kB counts like a row: an empty table with its indexes (16 kB) stays near the floor.
  const byBytes = 0.1 + 0.1 * Math.log10(Math.max(0, bytes) / 10_240 + 1);
  return round2(clamp(Math.max(byRows, byBytes)));
}

/** What a column's name or type says it holds. */
export type Sensitivity = "secret" | "financial" | "personal";

const SCORES: Record<Sensitivity, number> = { secret: 0.9, financial: 0.8, personal: 0.7 };

/** The floor for a column that looks like nothing in particular. */
export const NOT_SENSITIVE = 0.1;

const WORDS: Record<Sensitivity, string[]> = {
  secret: [
    "ssn",
    "password",
    "passwd",
    "secret",
    "token",
    "passport",
    "tax",
    "national",
    "credential",
    "pin",
  ],
  financial: [
    "card",
    "iban",
    "bic",
    "swift",
    "amount",
    "price",
    "salary",
    "wage",
    "income",
    "payment",
    "balance",
    "cvv",
    "bank",
    "account",
    "invoice",
    "total",
    "cost",
  ],
  personal: [
    "email",
    "mail",
    "phone",
    "mobile",
    "address",
    "street",
    "postal",
    "zip",
    "birth",
    "birthday",
    "dob",
    "ip",
    "gender",
    "surname",
    "firstname",
    "lastname",
    "fullname",
    "username",
  ],
};

/** `name` alone is a product's or a category's as often as a person's: it counts with these. */
const PERSON_NAME_QUALIFIERS = [
  "first",
  "last",
  "full",
  "middle",
  "given",
  "family",
  "maiden",
  "display",
  "user",
];

const TYPES: Record<string, Sensitivity> = {
  inet: "personal",
  cidr: "personal",
  macaddr: "personal",
  money: "financial",
};

/**
 * What a column holds, from its name (`card_last4`, `emailAddress`, `first_name`) and type
 * (`inet`, `money`), or undefined. A key column (`address_id`) holds a reference, not the data.
 */
export function columnSensitivity(name: string, type?: string): Sensitivity | undefined {
  const tokens = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
  const fromType = type ? TYPES[type.trim().toLowerCase()] : undefined;
  if (tokens.at(-1) === "id" || tokens.at(-1) === "ids") return fromType;
  for (const level of ["secret", "financial", "personal"] as const) {
    if (tokens.some((t) => WORDS[level].includes(t))) return level;
    if (
      level === "personal" &&
      tokens.includes("name") &&
      tokens.some((t) => PERSON_NAME_QUALIFIERS.includes(t))
    ) {
      return level;
    }
  }
  return fromType;
}

/**
 * The data sensitivity of the columns a step touches, 0.1–0.9: secrets and identity numbers
 * 0.9, financial data 0.8, personal data 0.7, anything else 0.1. The most sensitive column counts.
 *
 * @example sensitivityFromColumns([{ name: "card_last4", type: "text" }]) // 0.8
 * @example sensitivityFromColumns(["email"]) // 0.7
 */
export function sensitivityFromColumns(
  columns: ReadonlyArray<string | { name: string; type?: string }>,
): number {
  let score = NOT_SENSITIVE;
  for (const column of columns) {
    const found =
      typeof column === "string" ? columnSensitivity(column) : columnSensitivity(column.name, column.type);
    if (found) score = Math.max(score, SCORES[found]);
  }
  return score;
}

/** Each factor the higher of the two: discovery raises an action's static risk, never lowers it. */
export function raiseRisk(base: RiskValues, derived: Partial<RiskValues>): RiskValues {
  return {
    complexity: Math.max(base.complexity, derived.complexity ?? 0),
    blast_radius: Math.max(base.blast_radius, derived.blast_radius ?? 0),
    reversibility_difficulty: Math.max(base.reversibility_difficulty, derived.reversibility_difficulty ?? 0),
    data_sensitivity: Math.max(base.data_sensitivity, derived.data_sensitivity ?? 0),
  };
}

/**
 * A table's discovered figures and columns, when the context's discovery is a PostgreSQL one
 * that has the table: what an action's `risk(params, context)` derives factors from.
 */
export function discoveredTable(
  discovery: unknown,
  schema: string,
  table: string,
):
  | { rows: number | null; bytes: number; columns: { name: string; type: string }[]; partitioned: boolean }
  | undefined {
  const found = schemaFacts(discovery)?.table(schema, table);
  if (!found) return undefined;
  return {
    rows: found.row_estimate,
    bytes: found.size_bytes,
    columns: found.columns.map((c) => ({ name: c.name, type: c.type })),
    partitioned: found.partitioned,
  };
}
