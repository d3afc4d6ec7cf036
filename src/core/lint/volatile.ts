/**
 * Functions whose value changes on every call (provolatile 'v'). A column added with such a
 * default is computed row by row, so PostgreSQL rewrites the table; a constant or a STABLE
 * default (now(), current_timestamp, current_date) is evaluated once and stored in the catalog
 * (PostgreSQL 11+), which is instant whatever the table's size.
 */
const VOLATILE_FUNCTIONS = [
  "clock_timestamp",
  "timeofday",
  "random",
  "random_normal",
  "gen_random_uuid",
  "uuidv4",
  "uuidv7",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "nextval",
  "txid_current",
  "pg_current_xact_id",
];

/** serial types are an integer with a `nextval(…)` default: volatile too. */
const SERIAL_TYPES = ["smallserial", "serial", "bigserial", "serial2", "serial4", "serial8"];

/**
 * The volatile function a default expression calls (`gen_random_uuid`), or undefined when it has
 * none. Quoted strings are left out, so `'random()'` is a constant.
 *
 * @example volatileCall("gen_random_uuid()") // "gen_random_uuid"
 * @example volatileCall("now()") // undefined: STABLE, evaluated once
 */
export function volatileCall(expression: string): string | undefined {
  const code = expression.replace(/'(?:[^']|'')*'/g, "''").toLowerCase();
  for (const name of VOLATILE_FUNCTIONS) {
    if (new RegExp(`(^|[^a-z0-9_$])(pg_catalog\\.|public\\.)?${name}\\s*\\(`).test(code)) return name;
  }
  return undefined;
}

/** Whether a column type is one of the serial pseudo-types (a `nextval` default). */
export function isSerialType(type: string): boolean {
  return SERIAL_TYPES.includes(type.trim().toLowerCase());
}
