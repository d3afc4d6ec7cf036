/**
 * The store's tables (DESIGN.md §6), one per record type of `types.ts`. The same schema serves
 * PGlite and PostgreSQL; `npm run db:generate` turns changes into a migration under `migrations/`.
 */
import { type SQL, sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import type { HealthCheckRecord, ReportRecord, RunStatus, StepState } from "./types.js";

// Records keyed on the union types: the compiler fails here when types.ts gains or loses a value,
// so the CHECK constraints below cannot drift from the API silently.
const runStatusValues: Record<RunStatus, true> = {
  pending: true,
  running: true,
  awaiting_approval: true,
  awaiting_confirmation: true,
  paused_manual: true,
  rolling_back: true,
  completed: true,
  rolled_back: true,
  failed: true,
};
const stepStateValues: Record<StepState, true> = {
  pending: true,
  running: true,
  succeeded: true,
  failed: true,
  rolled_back: true,
};
const checkStatusValues: Record<HealthCheckRecord["status"], true> = { pass: true, fail: true };
const reportFormatValues: Record<ReportRecord["format"], true> = { markdown: true, json: true };

/** `column in ('a', 'b')`, with the values inlined: drizzle-kit writes CHECK bodies verbatim, without parameters. */
function oneOf(column: AnyPgColumn, values: Record<string, true>): SQL {
  const list = Object.keys(values)
    .map((value) => `'${value}'`)
    .join(", ");
  return sql`${column} in (${sql.raw(list)})`;
}

/** Every timestamp is a point in time (timestamptz); the store hands them out as ISO strings. */
const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const blueprints = pgTable("blueprints", {
  hash: text("hash").primaryKey(),
  blueprint_id: text("blueprint_id").notNull(),
  name: text("name").notNull(),
  content: jsonb("content").notNull(),
  created_at: at("created_at").notNull().defaultNow(),
});

export const runs = pgTable(
  "runs",
  {
    id: text("id").primaryKey(),
    blueprint_hash: text("blueprint_hash")
      .notNull()
      .references(() => blueprints.hash),
    blueprint_id: text("blueprint_id").notNull(),
    status: text("status").$type<RunStatus>().notNull(),
    options: jsonb("options").$type<Record<string, unknown>>().notNull().default({}),
    holder: text("holder"),
    created_at: at("created_at").notNull().defaultNow(),
    updated_at: at("updated_at").notNull().defaultNow(),
  },
  (t) => [check("runs_status_check", oneOf(t.status, runStatusValues))],
);

const runId = () =>
  text("run_id")
    .notNull()
    .references(() => runs.id, { onDelete: "cascade" });

export const stepStates = pgTable(
  "step_states",
  {
    run_id: runId(),
    step_id: text("step_id").notNull(),
    state: text("state").$type<StepState>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    started_at: at("started_at"),
    finished_at: at("finished_at"),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    progress: jsonb("progress").$type<Record<string, unknown>>(),
  },
  (t) => [
    primaryKey({ columns: [t.run_id, t.step_id] }),
    check("step_states_state_check", oneOf(t.state, stepStateValues)),
  ],
);

/** The append-only log: rows are inserted by `transition` and never updated. */
export const events = pgTable(
  "events",
  {
    run_id: runId(),
    seq: integer("seq").notNull(),
    type: text("type").notNull(),
    at: at("at").notNull(),
    phase_id: text("phase_id"),
    step_id: text("step_id"),
    check_id: text("check_id"),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [primaryKey({ columns: [t.run_id, t.seq] }), check("events_seq_check", sql`${t.seq} >= 1`)],
);

export const checkpoints = pgTable(
  "checkpoints",
  {
    run_id: runId(),
    checkpoint_id: text("checkpoint_id").notNull(),
    phase_id: text("phase_id").notNull(),
    snapshot: jsonb("snapshot").$type<Record<string, unknown>>().notNull(),
    created_at: at("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.run_id, t.checkpoint_id] })],
);

export const healthChecks = pgTable(
  "health_checks",
  {
    // A check runs many times in a run (pre, intra, post, after a rollback): the identity keeps
    // the rows apart and in the order they were written.
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    run_id: runId(),
    check_id: text("check_id").notNull(),
    stage: text("stage").notNull(),
    phase_id: text("phase_id"),
    status: text("status").$type<HealthCheckRecord["status"]>().notNull(),
    figures: jsonb("figures").$type<Record<string, unknown>>().notNull().default({}),
    message: text("message").notNull(),
    duration_ms: doublePrecision("duration_ms").notNull(),
    at: at("at").notNull(),
  },
  (t) => [
    index("health_checks_run_id_idx").on(t.run_id),
    check("health_checks_status_check", oneOf(t.status, checkStatusValues)),
  ],
);

/** An approval is bound to one version of a step (its hash): editing the step voids it. */
export const approvals = pgTable(
  "approvals",
  {
    run_id: runId(),
    step_id: text("step_id").notNull(),
    step_hash: text("step_hash").notNull(),
    approved_by: text("approved_by").notNull(),
    approved_at: at("approved_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.run_id, t.step_id, t.step_hash] })],
);

export const reports = pgTable(
  "reports",
  {
    run_id: runId(),
    format: text("format").$type<ReportRecord["format"]>().notNull(),
    content: text("content").notNull(),
    created_at: at("created_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.run_id, t.format] }),
    check("reports_format_check", oneOf(t.format, reportFormatValues)),
  ],
);
