import type {
  ApprovalRecord,
  CheckpointRecord,
  HealthCheckRecord,
  NewEvent,
  ReportRecord,
  RunEvent,
  RunRecord,
  RunStatus,
  StepState,
  StepStateRecord,
  Store,
  StoredBlueprint,
} from "../../src/store/types.js";

/** An in-memory Store for fast executor tests (STYLE.md 16); the real one is tested by its contract suite. */
export class MemoryStore implements Store {
  blueprints = new Map<string, StoredBlueprint>();
  runs = new Map<string, RunRecord>();
  steps = new Map<string, StepStateRecord>();
  log: RunEvent[] = [];
  checkpoints: CheckpointRecord[] = [];
  checks: HealthCheckRecord[] = [];
  approvals: ApprovalRecord[] = [];
  reports: ReportRecord[] = [];
  private now = () => new Date().toISOString();

  async saveBlueprint(b: Omit<StoredBlueprint, "created_at">) {
    if (!this.blueprints.has(b.hash)) this.blueprints.set(b.hash, { ...b, created_at: this.now() });
  }
  async getBlueprint(hash: string) {
    return this.blueprints.get(hash);
  }
  async listBlueprints() {
    return [...this.blueprints.values()];
  }
  async createRun(
    run: Omit<RunRecord, "created_at" | "updated_at">,
    approvals: readonly ApprovalRecord[] = [],
  ) {
    const record = { ...run, created_at: this.now(), updated_at: this.now() };
    this.runs.set(run.id, record);
    this.approvals.push(...approvals);
    return { ...record };
  }
  async getRun(id: string) {
    const run = this.runs.get(id);
    return run ? { ...run } : undefined;
  }
  async listRuns() {
    return [...this.runs.values()];
  }
  async transition(
    runId: string,
    event: NewEvent,
    change?: {
      runStatus?: RunStatus;
      step?: { step_id: string; state: StepState; detail?: Record<string, unknown> };
    },
  ) {
    const seq = this.log.filter((e) => e.run_id === runId).length + 1;
    const stored: RunEvent = { ...event, run_id: runId, seq, at: event.at ?? this.now() };
    this.log.push(stored);
    const run = this.runs.get(runId);
    if (run && change?.runStatus) run.status = change.runStatus;
    if (change?.step) {
      const key = `${runId}/${change.step.step_id}`;
      const prev = this.steps.get(key);
      this.steps.set(key, {
        run_id: runId,
        step_id: change.step.step_id,
        state: change.step.state,
        attempts: (prev?.attempts ?? 0) + (change.step.state === "running" ? 1 : 0),
        started_at: change.step.state === "running" ? stored.at : (prev?.started_at ?? null),
        finished_at: change.step.state === "running" ? null : stored.at,
        detail: change.step.detail ?? {},
        progress: prev?.progress ?? null,
      });
    }
    return stored;
  }
  async setHolder(runId: string, holder: string | null) {
    const run = this.runs.get(runId);
    if (run) run.holder = holder;
  }
  async getStepStates(runId: string) {
    return [...this.steps.values()].filter((s) => s.run_id === runId);
  }
  async setStepProgress(runId: string, stepId: string, progress: Record<string, unknown>) {
    const s = this.steps.get(`${runId}/${stepId}`);
    if (s) s.progress = progress;
  }
  async events(runId: string, afterSeq = 0) {
    return this.log.filter((e) => e.run_id === runId && e.seq > afterSeq);
  }
  async saveCheckpoint(c: Omit<CheckpointRecord, "created_at">) {
    this.checkpoints = this.checkpoints.filter(
      (x) => !(x.run_id === c.run_id && x.checkpoint_id === c.checkpoint_id),
    );
    this.checkpoints.push({ ...c, created_at: this.now() });
  }
  async getCheckpoints(runId: string) {
    return this.checkpoints.filter((c) => c.run_id === runId);
  }
  async saveHealthCheck(r: HealthCheckRecord) {
    this.checks.push(r);
  }
  async getHealthChecks(runId: string) {
    return this.checks.filter((c) => c.run_id === runId);
  }
  async saveApproval(a: ApprovalRecord) {
    this.approvals.push(a);
  }
  async getApprovals(runId: string) {
    return this.approvals.filter((a) => a.run_id === runId);
  }
  async saveReport(r: Omit<ReportRecord, "created_at">) {
    this.reports.push({ ...r, created_at: this.now() });
  }
  async getReport(runId: string, format: ReportRecord["format"]) {
    return this.reports.findLast((r) => r.run_id === runId && r.format === format);
  }
  async close() {}
}
