import { sqlState } from "../client.js";
import type { PgConnection } from "../connection.js";
import { type RetryOptions, runDdl } from "../ddl.js";
import { TableDoesNotExistError } from "../errors.js";
import { qualify, quoteIdent } from "../identifiers.js";
import { tableOid } from "../introspect.js";
import { type ConstraintInfo, constraintInfo, type Violations } from "./constraint-catalog.js";
import { DefinitionMismatchError, ViolatingRowsError } from "./constraint-errors.js";
import { addFigures, type Progress } from "./index-build.js";

export interface NotValidThenValidate {
  schema: string;
  table: string;
  /** How messages name the table. */
  tableLabel: string;
  name: string;
  /** `CHECK (…)`, `FOREIGN KEY (…) REFERENCES …`: what follows `ADD CONSTRAINT name`. */
  body: string;
  /** How messages name what is added: `check constraint x (…)`. */
  what: string;
  /** Whether a constraint that already holds the name is this one. */
  matches: (existing: ConstraintInfo) => boolean;
  /** The SQLSTATE VALIDATE fails with when rows break it, and how to count them. */
  violation: string;
  /** What is wrong with the rows that break it, after their count: `rows fail the check`. */
  problem: string;
  countViolations: () => Promise<Violations>;
}

/**
 * ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT, each in its own short transaction under
 * lock_timeout. The first takes a brief lock (ACCESS EXCLUSIVE for a CHECK, SHARE ROW EXCLUSIVE
 * for a foreign key) but reads no rows; from then on new rows are checked. VALIDATE reads every
 * row under SHARE UPDATE EXCLUSIVE, which blocks no read and no write. A NOT VALID constraint of
 * that name left by a crash is validated on the re-run; a valid one is success. When rows break
 * it, the NOT VALID constraint is dropped again (the table is left as it was) and the error
 * counts them. Returns what it did: `added`, `validated` or `none`.
 */
export async function addNotValidThenValidate(
  connection: PgConnection,
  step: NotValidThenValidate,
  progress: Progress,
  options: RetryOptions,
): Promise<"added" | "validated" | "none"> {
  const table = qualify(step.schema, step.table);
  const added = await runDdl(
    connection,
    async (tx) => {
      const oid = await tableOid(tx, step.schema, step.table);
      if (oid === undefined) throw new TableDoesNotExistError(step.schema, step.table);
      const existing = await constraintInfo(tx, oid, step.name);
      if (existing) {
        if (!step.matches(existing)) {
          throw new DefinitionMismatchError(
            "constraint",
            `${step.name} of ${step.tableLabel}`,
            existing.definition,
            step.body,
          );
        }
        return existing.validated ? "valid" : "not valid";
      }
      await tx.query(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(step.name)} ${step.body} NOT VALID`);
      return "added";
    },
    options,
  );
  addFigures(progress, added.figures);
  if (added.value === "valid") return "none";
  if (added.value === "not valid") {
    progress.notes.push(`${step.what} was there NOT VALID (left by an interrupted run): validated it`);
  }
  try {
    const { figures } = await runDdl(
      connection,
      (tx) => tx.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${quoteIdent(step.name)}`),
      options,
    );
    addFigures(progress, figures);
  } catch (error) {
    if (sqlState(error) !== step.violation) throw error;
    const found = await step.countViolations();
    const { figures } = await runDdl(
      connection,
      (tx) => tx.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${quoteIdent(step.name)}`),
      options,
    );
    addFigures(progress, figures);
    throw new ViolatingRowsError(
      step.tableLabel,
      step.what,
      found.count,
      step.problem,
      found.example,
      "the NOT VALID constraint was dropped again, so the table is as it was",
    );
  }
  return added.value === "added" ? "added" : "validated";
}
