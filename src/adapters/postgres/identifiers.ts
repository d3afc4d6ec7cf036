import { z } from "zod";

/**
 * PostgreSQL identifiers in action params: plain names (a letter or `_`, then letters, digits,
 * `_` or `$`), at most 63 bytes, as DESIGN.md §4 says ("identifiers are plain names, quoted by the
 * adapter"). Every identifier is quoted when SQL is built, so case is kept and a reserved word
 * is harmless; a name with a quote, a space or a semicolon never gets that far.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const MAX_IDENTIFIER_BYTES = 63;

export const Identifier = z
  .string()
  .regex(IDENTIFIER, {
    error: "expected a plain PostgreSQL identifier: a letter or _, then letters, digits, _ or $",
  })
  .refine((name) => Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES, {
    error: `an identifier is at most ${MAX_IDENTIFIER_BYTES} bytes`,
  })
  .meta({ description: "A PostgreSQL identifier, such as users or email_address; quoted by the adapter." });

/** The schema of an action, `public` unless given. */
export const SchemaName = Identifier.optional().meta({ description: "The schema (default public)." });

/** `users` → `"users"`; a `"` inside is doubled, so any string is safe here. */
export function quoteIdent(name: string): string {
  if (name.includes("\u0000")) throw new Error("an identifier cannot contain a NUL character");
  return `"${name.replaceAll('"', '""')}"`;
}

/** `public`, `users` → `"public"."users"` */
export function qualify(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** `'it''s'`: a string literal for statements that take no parameters (COMMENT ON …). */
export function quoteLiteral(text: string): string {
  if (text.includes("\u0000")) throw new Error("a string literal cannot contain a NUL character");
  // E'' with doubled backslashes reads the same whatever standard_conforming_strings says.
  return `E'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}
