import { eq, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { RunNotFoundError } from "./errors.js";
import { toDate, toEvent } from "./rows.js";
import { events, runs, stepStates } from "./schema.js";
import type { NewEvent, RunEvent, RunStatus, StepState } from "./types.js";

/** The database the store runs on: PGlite or node-postgres, behind drizzle's pg-core. */
export type Database = PgDatabase<PgQueryResultHKT>;

/** What a transition changes besides appending its event (the `change` of `Store.transition`). */
export interface TransitionChange {
  runStatus?: RunStatus;
  step?: { step_id: string; state: StepState; detail?: Record<string, unknown> };
}

const FINISHED: ReadonlySet<StepState> = new Set(["succeeded", "failed", "rolled_back"]);

/**
 * Appends an event to a run's log and applies its change, in one transaction. The run's row is
 * locked first (by the UPDATE of its status): writers of the same run, in this process or another,
 * queue there, and each reads `max(seq)` only once the previous one has committed — so the log
 * is numbered 1..n without gaps or duplicates. Writers of other runs do not wait.
 *
 * @example
 * await recordTransition(db, run.id, { type: "step.running", phase_id: "p1", step_id: "a", check_id: null, data: {} },
 *   { runStatus: "running", step: { step_id: "a", state: "running" } });
 */
export async function recordTransition(
  db: Database,
  runId: string,
  event: NewEvent,
  change: TransitionChange = {},
): Promise<RunEvent> {
  const given = event.at === undefined ? undefined : toDate(event.at, "event.at");
  return db.transaction(async (tx) => {
    // One statement takes the run's row lock and applies the status: an UPDATE locks the row as
    // FOR UPDATE would, and its clock_timestamp() is read once the lock is held, so the times of
    // a run's events follow their order. (One statement fewer per transition: a transition is
    // most of a step's overhead.)
    const locked = await tx
      .update(runs)
      .set(
        change.runStatus
          ? { status: change.runStatus, updated_at: sql`clock_timestamp()` }
          : { updated_at: sql`clock_timestamp()` },
      )
      .where(eq(runs.id, runId))
      .returning({ now: runs.updated_at });
    if (locked.length === 0) throw new RunNotFoundError(runId);

    const at = given ?? (locked[0]?.now as Date);
    // The next seq and the insert in one statement; the row lock above makes max(seq) safe.
    const inserted = await tx.execute(sql`
      INSERT INTO ${events} (run_id, seq, type, at, phase_id, step_id, check_id, data)
      SELECT ${runId}, coalesce(max(${events.seq}), 0) + 1, ${event.type}, ${at.toISOString()}::timestamptz,
             ${event.phase_id}, ${event.step_id}, ${event.check_id}, ${JSON.stringify(event.data)}::jsonb
      FROM ${events} WHERE ${events.run_id} = ${runId}
      RETURNING *`);
    const row = (inserted as unknown as { rows: (typeof events.$inferSelect)[] }).rows[0];

    if (change.step) await upsertStepState(tx, runId, change.step, at);
    return toEvent({
      ...(row as typeof events.$inferSelect),
      at: new Date((row as { at: Date | string }).at),
    });
  });
}

/**
 * A step's state after a transition: a move to running counts an attempt and starts the clock,
 * a finished state stops it. The detail is the transition's own (a retry does not keep the error
 * of the attempt before); the progress is kept, so a resumed backfill goes on from its last key.
 */
async function upsertStepState(
  tx: Database,
  runId: string,
  step: NonNullable<TransitionChange["step"]>,
  at: Date,
): Promise<void> {
  const running = step.state === "running";
  await tx
    .insert(stepStates)
    .values({
      run_id: runId,
      step_id: step.step_id,
      state: step.state,
      attempts: running ? 1 : 0,
      started_at: running ? at : null,
      finished_at: FINISHED.has(step.state) ? at : null,
      detail: step.detail ?? {},
    })
    .onConflictDoUpdate({
      target: [stepStates.run_id, stepStates.step_id],
      set: {
        state: sql`excluded.state`,
        finished_at: sql`excluded.finished_at`,
        detail: sql`excluded.detail`,
        ...(running
          ? { attempts: sql`${stepStates.attempts} + 1`, started_at: sql`excluded.started_at` }
          : {}),
      },
    });
}
