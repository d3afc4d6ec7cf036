import { and, asc, eq, gt, sql } from "drizzle-orm";
import {
  toApproval,
  toBlueprint,
  toCheckpoint,
  toDate,
  toEvent,
  toHealthCheck,
  toReport,
  toRun,
  toStepState,
} from "./rows.js";
import {
  approvals,
  blueprints,
  checkpoints,
  events,
  healthChecks,
  reports,
  runs,
  stepStates,
} from "./schema.js";
import { type Database, recordTransition, type TransitionChange } from "./transition.js";
import type {
  ApprovalRecord,
  CheckpointRecord,
  HealthCheckRecord,
  NewEvent,
  ReportRecord,
  RunEvent,
  RunRecord,
  StepStateRecord,
  Store,
  StoredBlueprint,
} from "./types.js";

/**
 * The store, written once over drizzle's pg-core: `openStore` hands it a PGlite or a
 * node-postgres database and what closes it. Every query here runs unchanged on both.
 */
export class DrizzleStore implements Store {
  constructor(
    private readonly db: Database,
    private readonly release: () => Promise<void>,
  ) {}

  async saveBlueprint(blueprint: Omit<StoredBlueprint, "created_at">): Promise<void> {
    // The hash is of the content: a blueprint saved twice is the same row, kept as first saved.
    await this.db.insert(blueprints).values(blueprint).onConflictDoNothing();
  }

  async getBlueprint(hash: string): Promise<StoredBlueprint | undefined> {
    const [row] = await this.db.select().from(blueprints).where(eq(blueprints.hash, hash));
    return row && toBlueprint(row);
  }

  async listBlueprints(): Promise<StoredBlueprint[]> {
    const rows = await this.db
      .select()
      .from(blueprints)
      .orderBy(asc(blueprints.created_at), asc(blueprints.hash));
    return rows.map(toBlueprint);
  }

  async createRun(
    run: Omit<RunRecord, "created_at" | "updated_at">,
    given: readonly ApprovalRecord[] = [],
  ): Promise<RunRecord> {
    const now = new Date();
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(runs)
        .values({ ...run, created_at: now, updated_at: now })
        .returning();
      if (given.length)
        await tx
          .insert(approvals)
          .values(given.map((a) => ({ ...a, approved_at: toDate(a.approved_at, "approved_at") })))
          .onConflictDoNothing();
      return toRun(row as typeof runs.$inferSelect);
    });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const [row] = await this.db.select().from(runs).where(eq(runs.id, id));
    return row && toRun(row);
  }

  async listRuns(): Promise<RunRecord[]> {
    const rows = await this.db.select().from(runs).orderBy(asc(runs.created_at), asc(runs.id));
    return rows.map(toRun);
  }

  transition(runId: string, event: NewEvent, change?: TransitionChange): Promise<RunEvent> {
    return recordTransition(this.db, runId, event, change);
  }

  async setHolder(runId: string, holder: string | null): Promise<void> {
    await this.db.update(runs).set({ holder, updated_at: new Date() }).where(eq(runs.id, runId));
  }

  async getStepStates(runId: string): Promise<StepStateRecord[]> {
    const rows = await this.db
      .select()
      .from(stepStates)
      .where(eq(stepStates.run_id, runId))
      // In the order the steps started; steps never started last, by name.
      .orderBy(sql`${stepStates.started_at} asc nulls last`, asc(stepStates.step_id));
    return rows.map(toStepState);
  }

  async setStepProgress(runId: string, stepId: string, progress: Record<string, unknown>): Promise<void> {
    await this.db
      .update(stepStates)
      .set({ progress })
      .where(and(eq(stepStates.run_id, runId), eq(stepStates.step_id, stepId)));
  }

  async events(runId: string, afterSeq = 0): Promise<RunEvent[]> {
    const rows = await this.db
      .select()
      .from(events)
      .where(and(eq(events.run_id, runId), gt(events.seq, afterSeq)))
      .orderBy(asc(events.seq));
    return rows.map(toEvent);
  }

  async saveCheckpoint(checkpoint: Omit<CheckpointRecord, "created_at">): Promise<void> {
    // Taking a checkpoint again (a phase retried after a rollback) replaces it: the latest
    // snapshot is the one a rollback must return to.
    const created_at = new Date();
    await this.db
      .insert(checkpoints)
      .values({ ...checkpoint, created_at })
      .onConflictDoUpdate({
        target: [checkpoints.run_id, checkpoints.checkpoint_id],
        set: { phase_id: checkpoint.phase_id, snapshot: checkpoint.snapshot, created_at },
      });
  }

  async getCheckpoints(runId: string): Promise<CheckpointRecord[]> {
    const rows = await this.db
      .select()
      .from(checkpoints)
      .where(eq(checkpoints.run_id, runId))
      .orderBy(asc(checkpoints.created_at), asc(checkpoints.checkpoint_id));
    return rows.map(toCheckpoint);
  }

  async saveHealthCheck(result: HealthCheckRecord): Promise<void> {
    await this.db.insert(healthChecks).values({ ...result, at: toDate(result.at, "health check at") });
  }

  async getHealthChecks(runId: string): Promise<HealthCheckRecord[]> {
    const rows = await this.db
      .select()
      .from(healthChecks)
      .where(eq(healthChecks.run_id, runId))
      .orderBy(asc(healthChecks.id));
    return rows.map(toHealthCheck);
  }

  async saveApproval(approval: ApprovalRecord): Promise<void> {
    // Approving the same version of a step twice changes nothing: the first approval stands.
    await this.db
      .insert(approvals)
      .values({ ...approval, approved_at: toDate(approval.approved_at, "approved_at") })
      .onConflictDoNothing();
  }

  async getApprovals(runId: string): Promise<ApprovalRecord[]> {
    const rows = await this.db
      .select()
      .from(approvals)
      .where(eq(approvals.run_id, runId))
      .orderBy(asc(approvals.approved_at), asc(approvals.step_id), asc(approvals.step_hash));
    return rows.map(toApproval);
  }

  async saveReport(report: Omit<ReportRecord, "created_at">): Promise<void> {
    // One report per run and format: writing it again (after a resume) replaces it.
    const created_at = new Date();
    await this.db
      .insert(reports)
      .values({ ...report, created_at })
      .onConflictDoUpdate({
        target: [reports.run_id, reports.format],
        set: { content: report.content, created_at },
      });
  }

  async getReport(runId: string, format: ReportRecord["format"]): Promise<ReportRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(reports)
      .where(and(eq(reports.run_id, runId), eq(reports.format, format)));
    return row && toReport(row);
  }

  close(): Promise<void> {
    return this.release();
  }
}
