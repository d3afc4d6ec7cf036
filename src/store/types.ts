/**
 * The store's port: what the executor, the monitor and the surfaces need to keep runs durable
 * (DESIGN.md §6). One implementation on drizzle-orm (pg-core), over PGlite (embedded default) or
 * PostgreSQL (`MA_STATE_URL`): same schema, same queries.
 */

export type RunStatus =
  | "pending"
  | "running"
  | "awaiting_approval"
  | "awaiting_confirmation"
  | "paused_manual"
  | "rolling_back"
  | "completed"
  | "rolled_back"
  | "failed";

export type StepState = "pending" | "running" | "succeeded" | "failed" | "rolled_back";

export interface StoredBlueprint {
  /** sha256 of the blueprint's canonical JSON: `sha256:…`. */
  hash: string;
  blueprint_id: string;
  name: string;
  /** The blueprint itself, as loaded (JSON). */
  content: unknown;
  created_at: string;
}

export interface RunRecord {
  id: string;
  blueprint_hash: string;
  blueprint_id: string;
  status: RunStatus;
  /** Free-form run options (approvals given on the command line, concurrency, …). */
  options: Record<string, unknown>;
  /** The pid and host of the process driving the run, while one is. */
  holder: string | null;
  created_at: string;
  updated_at: string;
}

export interface StepStateRecord {
  run_id: string;
  step_id: string;
  state: StepState;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  /** Figures, output lines, the error of a failure. */
  detail: Record<string, unknown>;
  /** What a step keeps across a crash (a backfill's last key). */
  progress: Record<string, unknown> | null;
}

export interface RunEvent {
  run_id: string;
  /** Monotonic per run, from 1, without gaps. */
  seq: number;
  type: string;
  at: string;
  phase_id: string | null;
  step_id: string | null;
  check_id: string | null;
  data: Record<string, unknown>;
}

export interface CheckpointRecord {
  run_id: string;
  checkpoint_id: string;
  phase_id: string;
  /** Snapshots of the components (fingerprint + checksums) when the checkpoint was taken. */
  snapshot: Record<string, unknown>;
  created_at: string;
}

export interface HealthCheckRecord {
  run_id: string;
  check_id: string;
  stage: string;
  phase_id: string | null;
  status: "pass" | "fail";
  figures: Record<string, unknown>;
  message: string;
  duration_ms: number;
  at: string;
}

export interface ApprovalRecord {
  run_id: string;
  step_id: string;
  step_hash: string;
  approved_by: string;
  approved_at: string;
}

export interface ReportRecord {
  run_id: string;
  format: "markdown" | "json";
  content: string;
  created_at: string;
}

/** A new event: the store assigns `seq` and `at`. */
export type NewEvent = Omit<RunEvent, "seq" | "at" | "run_id"> & { at?: string };

export interface Store {
  saveBlueprint(blueprint: Omit<StoredBlueprint, "created_at">): Promise<void>;
  getBlueprint(hash: string): Promise<StoredBlueprint | undefined>;
  listBlueprints(): Promise<StoredBlueprint[]>;

  /**
   * Records a new run with the approvals given with it, in one transaction: a run never exists
   * without the approvals its command line gave (a crash in between would lose them).
   */
  createRun(
    run: Omit<RunRecord, "created_at" | "updated_at">,
    approvals?: readonly ApprovalRecord[],
  ): Promise<RunRecord>;
  getRun(id: string): Promise<RunRecord | undefined>;
  listRuns(): Promise<RunRecord[]>;
  /**
   * Records a transition atomically: the event is appended (next seq) and, in the same
   * transaction, the run's status and/or a step's state are updated. Returns the event.
   */
  transition(
    runId: string,
    event: NewEvent,
    change?: {
      runStatus?: RunStatus;
      step?: { step_id: string; state: StepState; detail?: Record<string, unknown> };
    },
  ): Promise<RunEvent>;
  setHolder(runId: string, holder: string | null): Promise<void>;
  getStepStates(runId: string): Promise<StepStateRecord[]>;
  setStepProgress(runId: string, stepId: string, progress: Record<string, unknown>): Promise<void>;
  /** Events of a run with seq > afterSeq, in order. */
  events(runId: string, afterSeq?: number): Promise<RunEvent[]>;

  saveCheckpoint(checkpoint: Omit<CheckpointRecord, "created_at">): Promise<void>;
  getCheckpoints(runId: string): Promise<CheckpointRecord[]>;
  saveHealthCheck(result: HealthCheckRecord): Promise<void>;
  getHealthChecks(runId: string): Promise<HealthCheckRecord[]>;
  saveApproval(approval: ApprovalRecord): Promise<void>;
  getApprovals(runId: string): Promise<ApprovalRecord[]>;
  saveReport(report: Omit<ReportRecord, "created_at">): Promise<void>;
  getReport(runId: string, format: ReportRecord["format"]): Promise<ReportRecord | undefined>;

  close(): Promise<void>;
}
