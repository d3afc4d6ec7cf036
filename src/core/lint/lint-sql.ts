import type { StepRef } from "../blueprint/step-index.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";
import { type LintContext, qualified } from "./lint-context.js";
import type { TableFacts } from "./schema-facts.js";
import type { SqlName, SqlOp } from "./sql-statements.js";
import { isLarge, mayHaveRows, sizeFigures, tableLabel } from "./table-size.js";
import { rewritesOnTypeChange } from "./type-change.js";
import { viewsInTheWay } from "./views.js";
import { isSerialType, volatileCall } from "./volatile.js";

const UNKNOWN_SIZE = "its size is unknown without discovery (`validate --discover`)";

/**
 * The raw-SQL rules (MA601–MA608) on one postgres.sql step. The patterns need no discovery; with
 * one, a rule on an empty table stays quiet and a warning states the table's figures.
 */
export function lintSql(ref: StepRef, ops: readonly SqlOp[], context: LintContext): Diagnostic[] {
  const path = [...ref.path, "params", "sql"];
  const id = ref.step.id;
  const out: Diagnostic[] = [];
  const createdHere = new Set<string>();
  // CHECK (col IS NOT NULL) constraints of this script: name → [table, column, validated].
  const checks = new Map<string, { table: string; column: string; validated: boolean }>();

  /** The table's facts, or why there is nothing to say: created here, absent (new), or empty. */
  const sizeOf = (name: SqlName): { quiet: true } | { quiet: false; table: TableFacts | undefined } => {
    const key = qualified(name.schema, name.name);
    if (createdHere.has(key)) return { quiet: true };
    if (!context.facts) return { quiet: false, table: undefined };
    const table = context.facts.table(name.schema ?? "public", name.name);
    if (!table || !mayHaveRows(table)) return { quiet: true };
    return { quiet: false, table };
  };
  const figures = (name: SqlName, table: TableFacts | undefined) =>
    table ? sizeFigures(table) : `${label(name)}: ${UNKNOWN_SIZE}`;

  for (const op of ops) {
    switch (op.op) {
      case "create_table":
        createdHere.add(qualified(op.table.schema, op.table.name));
        break;
      case "create_index": {
        if (op.concurrently) break;
        const size = sizeOf(op.table);
        if (size.quiet) break;
        const partitioned = size.table?.partitioned
          ? `; ${label(op.table)} is partitioned: build the index CONCURRENTLY on each partition, then CREATE INDEX ON ONLY the parent and ATTACH PARTITION each one`
          : "";
        out.push(
          diagnostic(
            "MA601",
            path,
            `step '${id}': CREATE INDEX without CONCURRENTLY blocks writes to ${label(op.table)} until the index is built; ${figures(op.table, size.table)}${partitioned}`,
          ),
        );
        break;
      }
      case "add_constraint": {
        const key = qualified(op.table.schema, op.table.name);
        const notNull = /^CHECK\s*\(+\s*"?([A-Za-z_][\w$]*)"?\s+IS\s+NOT\s+NULL\s*\)+/i.exec(op.body);
        if (op.name && notNull?.[1]) {
          checks.set(op.name, { table: key, column: notNull[1].toLowerCase(), validated: !op.notValid });
        }
        const size = sizeOf(op.table);
        if (size.quiet) break;
        if (
          (op.kind === "unique" || op.kind === "primary_key" || op.kind === "exclusion") &&
          !op.usingIndex
        ) {
          out.push(
            diagnostic(
              "MA601",
              path,
              `step '${id}': ADD ${op.kind === "primary_key" ? "PRIMARY KEY" : op.kind.toUpperCase()} builds its index while holding writes to ${label(op.table)}; ${figures(op.table, size.table)}. Build a unique index CONCURRENTLY first, then ADD CONSTRAINT … USING INDEX (postgres.add_unique does both)`,
            ),
          );
        }
        if ((op.kind === "check" || op.kind === "foreign_key") && !op.notValid) {
          out.push(
            diagnostic(
              "MA604",
              path,
              `step '${id}': ADD ${op.kind === "check" ? "CHECK" : "FOREIGN KEY"}${op.name ? ` ${op.name}` : ""} without NOT VALID checks every row of ${label(op.table)} while holding writes; ${figures(op.table, size.table)}`,
            ),
          );
        }
        break;
      }
      case "validate_constraint": {
        const check = checks.get(op.name);
        if (check) check.validated = true;
        break;
      }
      case "set_not_null": {
        const key = qualified(op.table.schema, op.table.name);
        const covered = [...checks.values()].some(
          (c) => c.table === key && c.column === op.column && c.validated,
        );
        const size = sizeOf(op.table);
        if (covered || size.quiet || hasValidatedNotNullCheck(size.table, op.column)) break;
        out.push(
          diagnostic(
            "MA603",
            path,
            `step '${id}': SET NOT NULL on ${label(op.table)}.${op.column} scans the whole table under ACCESS EXCLUSIVE, with no validated CHECK (${op.column} IS NOT NULL) to rely on; ${figures(op.table, size.table)}`,
          ),
        );
        break;
      }
      case "alter_type": {
        out.push(...viewsInTheWay(ref, path, op.table, op.column, "changes the type of", context));
        const size = sizeOf(op.table);
        if (size.quiet) break;
        const from = size.table?.columns.find((c) => c.name === op.column)?.type;
        if (from !== undefined && !rewritesOnTypeChange(from, op.type)) break;
        out.push(
          diagnostic(
            "MA602",
            path,
            `step '${id}': ALTER COLUMN ${op.column} TYPE ${op.type}${from ? ` (from ${from})` : ""} rewrites ${label(op.table)} and its indexes under ACCESS EXCLUSIVE${from ? "" : " unless the change is binary-compatible (such as widening a varchar)"}; ${figures(op.table, size.table)}`,
          ),
        );
        break;
      }
      case "add_column": {
        const volatile = op.default !== undefined ? volatileCall(op.default) : undefined;
        const serial = isSerialType(op.type);
        if (!volatile && !serial) break;
        const size = sizeOf(op.table);
        if (size.quiet || !size.table || !isLarge(size.table)) break;
        out.push(
          diagnostic(
            "MA605",
            path,
            `step '${id}': ADD COLUMN ${op.column} with ${serial ? `type ${op.type} (a nextval default)` : `the volatile default ${volatile}()`} rewrites ${label(op.table)} row by row under ACCESS EXCLUSIVE; ${sizeFigures(size.table)}`,
          ),
        );
        break;
      }
      case "drop_column":
        out.push(...viewsInTheWay(ref, path, op.table, op.column, "drops", context));
        break;
      case "drop_table":
        for (const table of op.tables)
          out.push(...viewsInTheWay(ref, path, table, undefined, "drops", context));
        break;
      case "rename_column":
        out.push(
          diagnostic(
            "MA607",
            path,
            `step '${id}': RENAME COLUMN ${op.from} TO ${op.to} on ${label(op.table)} breaks every client that still reads or writes ${op.from}`,
          ),
        );
        break;
      case "rename_table":
        out.push(
          diagnostic(
            "MA607",
            path,
            `step '${id}': RENAME ${label(op.table)} TO ${op.to} breaks every client that still uses ${label(op.table)}`,
          ),
        );
        break;
      default:
        break;
    }
  }

  if (ops.some((op) => op.op !== "other" || !op.readOnly)) {
    const recognized = ops.filter((op) => op.op !== "other").length;
    out.push(
      diagnostic(
        "MA608",
        path,
        `step '${id}': raw SQL changes the database and is opaque to the checks: the lint recognized ${recognized} of its ${plural(ops.length, "statement")} and looked for known patterns only; locks, duration and undo are the author's`,
      ),
    );
  }
  return out;
}

/** A validated `CHECK ((col IS NOT NULL))` on the table: SET NOT NULL then skips its scan. */
function hasValidatedNotNullCheck(table: TableFacts | undefined, column: string): boolean {
  if (!table) return false;
  const pattern = new RegExp(`^CHECK \\(+"?${column.replace(/[^\w$]/g, "")}"? IS NOT NULL\\)+$`, "i");
  return table.constraints.some((k) => k.type === "check" && k.validated && pattern.test(k.definition));
}

const label = (name: SqlName) => tableLabel(name.schema ?? "public", name.name);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
