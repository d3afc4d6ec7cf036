import { statementOps } from "../lint/sql-statements.js";
import { isWord, sqlStatements } from "../lint/sql-tokens.js";

/**
 * The first statement of a raw SQL script that destroys data or a table outright (TRUNCATE,
 * DELETE, DROP TABLE / SCHEMA / DATABASE / COLUMN), as written, or undefined. postgres.sql scores
 * such a script as irreversible, so the core gates it for approval whatever the blueprint says:
 * a drop written as raw SQL is not a way around the catalogue's gate (DESIGN.md §2, §7).
 */
export function destructiveStatement(sql: string): string | undefined {
  for (const tokens of sqlStatements(sql)) {
    const words = tokens.filter((t) => t.kind === "word").slice(0, 2);
    const [first, second] = words;
    const says = () =>
      tokens
        .slice(0, 6)
        .map((t) => t.text)
        .join(" ");
    if (isWord(first, "TRUNCATE", "DELETE")) return says();
    if (isWord(first, "DROP") && isWord(second, "TABLE", "SCHEMA", "DATABASE", "OWNED")) return says();
    if (statementOps(tokens).some((op) => op.op === "drop_table" || op.op === "drop_column")) return says();
  }
  return undefined;
}
