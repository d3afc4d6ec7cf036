/**
 * Conversions between drizzle's rows and the store's records: the database holds timestamptz
 * (drizzle hands out `Date`s), the API speaks ISO strings.
 */
import { InvalidTimestampError } from "./errors.js";
import type {
  approvals,
  blueprints,
  checkpoints,
  events,
  healthChecks,
  reports,
  runs,
  stepStates,
} from "./schema.js";
import type {
  ApprovalRecord,
  CheckpointRecord,
  HealthCheckRecord,
  ReportRecord,
  RunEvent,
  RunRecord,
  StepStateRecord,
  StoredBlueprint,
} from "./types.js";

/** Parses an ISO timestamp from a caller, naming the field when it is not one. */
export function toDate(value: string, field: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidTimestampError(field, value);
  return date;
}

const iso = (date: Date): string => date.toISOString();
const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** A blueprint row as the API's record. */
export const toBlueprint = (row: typeof blueprints.$inferSelect): StoredBlueprint => ({
  ...row,
  created_at: iso(row.created_at),
});

/** A run row as the API's record. */
export const toRun = (row: typeof runs.$inferSelect): RunRecord => ({
  ...row,
  created_at: iso(row.created_at),
  updated_at: iso(row.updated_at),
});

/** A step state row as the API's record. */
export const toStepState = (row: typeof stepStates.$inferSelect): StepStateRecord => ({
  ...row,
  started_at: isoOrNull(row.started_at),
  finished_at: isoOrNull(row.finished_at),
});

/** An event row as the API's record. */
export const toEvent = (row: typeof events.$inferSelect): RunEvent => ({ ...row, at: iso(row.at) });

/** A checkpoint row as the API's record. */
export const toCheckpoint = (row: typeof checkpoints.$inferSelect): CheckpointRecord => ({
  ...row,
  created_at: iso(row.created_at),
});

/** A health check row as the API's record, without the row's identity. */
export const toHealthCheck = ({ id: _id, ...row }: typeof healthChecks.$inferSelect): HealthCheckRecord => ({
  ...row,
  at: iso(row.at),
});

/** An approval row as the API's record. */
export const toApproval = (row: typeof approvals.$inferSelect): ApprovalRecord => ({
  ...row,
  approved_at: iso(row.approved_at),
});

/** A report row as the API's record. */
export const toReport = (row: typeof reports.$inferSelect): ReportRecord => ({
  ...row,
  created_at: iso(row.created_at),
});
