import type { HealthCheckResult } from "../adapters/types.js";
import type { Blueprint, Step } from "../core/blueprint/schema.js";
import { stepHash } from "../core/risk/approval.js";
import { approvalCode, codeMatches } from "../executor/approval-code.js";
import { checkNow } from "../executor/check-now.js";
import type { ExecutorDeps } from "../executor/deps.js";
import { createRun, executeRun } from "../executor/executor.js";
import { type RollbackRequest, requestRollback } from "../executor/request-rollback.js";
import { awaitsDecision } from "../executor/steps.js";
import type { RunReport } from "../monitor/report.js";
import type { RunEvent, RunRecord, StepStateRecord, Store } from "../store/types.js";
import { approveStep, confirmRollback } from "./approvals.js";
import { reportOf } from "./run-report.js";
import type { SharedStore } from "./shared-store.js";

/** A risky step the run waits on, for a person to approve. */
export interface WaitingApproval {
  step_id: string;
  phase_id: string | null;
  action: string;
  component: string;
  name: string;
  risk: number | null;
  threshold: number | null;
  /** Why a person must decide, when it is not risk: an inconclusive canary analysis. */
  reason: string | null;
  /** What the person gives to approve it (`approvalCode`): shown to the person, never to the model. */
  code: string;
}

/** A rollback step the run waits on, for a person to confirm (level 1) or to do by hand (level 2). */
export interface WaitingConfirmation {
  step_id: string;
  level: number;
  instructions: string;
  /** What the person gives to confirm it: shown to the person, never to the model. */
  code: string;
}

/** What a run waits for from a person, if anything. */
export interface RunWaiting {
  approvals: WaitingApproval[];
  confirmation: WaitingConfirmation | null;
}

/** A run as it stands: its record, its steps, and what it waits for. */
export interface RunView {
  run: RunRecord;
  blueprint: Blueprint;
  steps: StepStateRecord[];
  waiting: RunWaiting;
  /** True while this process is executing it (a call may have stopped waiting for it). */
  executing: boolean;
}

export interface RunServiceOptions {
  store: SharedStore;
  deps: Omit<ExecutorDeps, "store" | "observe">;
  /** Told of every event of every run this service drives (the server's log). */
  log?: (event: RunEvent) => void;
  /**
   * Told when a run this service drove comes to rest waiting for a person, with the approval
   * codes: the server's log shows them to the person (never to the model).
   */
  onWaiting?: (view: RunView) => void;
}

/** A run this service could not find, or a request it cannot carry out; the message says what to do. */
export class RunServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunServiceError";
  }
}

/**
 * Runs, as a long-lived server drives them (MCP, HTTP): start a blueprint, carry a run on, approve
 * and confirm with the step's approval code, roll back, read status and reports, run health checks now.
 * One process executes a run at a time per run: a second call for a run already executing joins
 * it (and gets its progress) instead of starting a second executor. A run goes on when the call
 * that started it stops waiting (a client's timeout): nothing is left half-done because a
 * connection closed, and `get_run_status` shows where it stands.
 */
export class RunService {
  private readonly executing = new Map<string, Promise<RunRecord>>();
  private readonly observers = new Map<string, Set<(event: RunEvent) => void>>();

  constructor(private readonly options: RunServiceOptions) {}

  /** Records a new run of a blueprint. Nothing runs yet: `drive` does. */
  async create(blueprint: Blueprint): Promise<RunRecord> {
    return this.withDeps((deps) => createRun(deps, blueprint));
  }

  /**
   * Carries the run on to a resting state — completed, rolled back, or waiting for a person — and
   * returns it. `observe` hears this run's events while the call waits.
   */
  async drive(runId: string, observe?: (event: RunEvent) => void): Promise<RunRecord> {
    const stop = observe ? this.listen(runId, observe) : () => undefined;
    try {
      let pending = this.executing.get(runId);
      if (!pending) {
        pending = this.withDeps((deps) => executeRun(deps, runId))
          .then((run) => this.announce(run))
          .finally(() => this.executing.delete(runId));
        this.executing.set(runId, pending);
      }
      return await pending;
    } finally {
      stop();
    }
  }

  /** Rolls a run back as asked (all, to a checkpoint, chosen steps); refused while it executes. */
  async rollback(
    runId: string,
    request: RollbackRequest,
    observe?: (event: RunEvent) => void,
  ): Promise<RunRecord> {
    await this.view(runId);
    if (this.executing.has(runId)) {
      throw new RunServiceError(
        `run ${runId} is executing in this server right now; wait until it rests (get_run_status), then roll it back`,
      );
    }
    const stop = observe ? this.listen(runId, observe) : () => undefined;
    const pending = this.withDeps((deps) => requestRollback(deps, runId, request))
      .then((run) => this.announce(run))
      .finally(() => this.executing.delete(runId));
    this.executing.set(runId, pending);
    try {
      return await pending;
    } finally {
      stop();
    }
  }

  /** The run, its steps and what it waits for; an error naming what to do when there is no such run. */
  async view(runId: string): Promise<RunView> {
    return this.options.store.use(async (store) => {
      const run = await store.getRun(runId);
      if (!run) {
        throw new RunServiceError(`there is no run '${runId}' (get_run_status without a run_id lists them)`);
      }
      const blueprint = (await store.getBlueprint(run.blueprint_hash))?.content as Blueprint;
      const steps = await store.getStepStates(runId);
      return {
        run,
        blueprint,
        steps,
        waiting: await waitingOf(store, run, blueprint, steps),
        executing: this.executing.has(runId),
      };
    });
  }

  /** Every run, newest first. */
  async list(): Promise<RunRecord[]> {
    const runs = await this.options.store.use((store) => store.listRuns());
    return [...runs].sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  /** Blueprints the store holds (those that ran). */
  async storedBlueprints(): Promise<{ hash: string; blueprint: Blueprint; created_at: string }[]> {
    const stored = await this.options.store.use((store) => store.listBlueprints());
    return stored.map((b) => ({ hash: b.hash, blueprint: b.content as Blueprint, created_at: b.created_at }));
  }

  /** A stored blueprint by hash. */
  async storedBlueprint(hash: string): Promise<Blueprint | undefined> {
    const stored = await this.options.store.use((store) => store.getBlueprint(hash));
    return stored?.content as Blueprint | undefined;
  }

  /**
   * A person's word on the step the run waits on, proven by its approval code (which only the
   * person was shown: the server's log, `migration-architect status RUN`): an approval of a risky
   * step, or the confirmation of a rollback step.
   */
  async approve(
    runId: string,
    stepId: string,
    code: string,
    by: string,
  ): Promise<{ kind: "approval" | "confirmation"; step_id: string }> {
    const view = await this.view(runId);
    const approval = view.waiting.approvals.find((a) => a.step_id === stepId);
    const confirmation = view.waiting.confirmation?.step_id === stepId ? view.waiting.confirmation : null;
    const waited = approval ?? confirmation;
    if (!waited) {
      const what = [
        ...view.waiting.approvals.map((a) => `approval of ${a.step_id}`),
        ...(view.waiting.confirmation
          ? [`confirmation of the rollback of ${view.waiting.confirmation.step_id}`]
          : []),
      ];
      throw new RunServiceError(
        `run ${runId} (${view.run.status}) does not wait on step '${stepId}'; it waits for ${what.length ? what.join(", ") : "nothing"}`,
      );
    }
    if (!codeMatches(code, waited.code)) {
      throw new RunServiceError(
        `that is not the approval code of step '${stepId}': ask the person for it (they see it in the server's log and in \`migration-architect status ${runId}\`); an approval is theirs to give`,
      );
    }
    const step = stepOf(view.blueprint, stepId);
    await this.options.store.use(async (store) => {
      if (approval) await approveStep(store, runId, step, by);
      else await confirmRollback(store, runId, stepId, by);
    });
    return { kind: approval ? "approval" : "confirmation", step_id: stepId };
  }

  /** The run's report. */
  async report(runId: string): Promise<RunReport> {
    return this.options.store.use(async (store) => {
      const run = await store.getRun(runId);
      if (!run) throw new RunServiceError(`there is no run '${runId}' (get_run_status lists the runs)`);
      return reportOf(store, run);
    });
  }

  /** A blueprint's health checks of one stage, run now against the live components (read-only). */
  async checkNow(blueprint: Blueprint, stage: "pre" | "intra" | "post"): Promise<HealthCheckResult[]> {
    return checkNow(this.options.deps, blueprint, stage);
  }

  /** Waits for every run this process executes to rest (at shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.executing.values()]);
    await this.options.store.settle();
  }

  /** Runs being executed by this process. */
  get executingRuns(): string[] {
    return [...this.executing.keys()];
  }

  /** Tells `onWaiting` when the run rests waiting for a person; returns the run as it is. */
  private async announce(run: RunRecord): Promise<RunRecord> {
    if (!this.options.onWaiting) return run;
    if (!["awaiting_approval", "awaiting_confirmation", "paused_manual"].includes(run.status)) return run;
    try {
      this.options.onWaiting(await this.view(run.id));
    } catch {
      // The log is a courtesy: the codes are also in `migration-architect status RUN`.
    }
    return run;
  }

  private withDeps<T>(work: (deps: ExecutorDeps) => Promise<T>): Promise<T> {
    return this.options.store.use((store) =>
      work({ ...this.options.deps, store, observe: (event) => this.tell(event) }),
    );
  }

  private tell(event: RunEvent): void {
    this.options.log?.(event);
    for (const observe of this.observers.get(event.run_id) ?? []) {
      try {
        observe(event);
      } catch {
        // An observer that fails (a closed connection) must not stop the run.
      }
    }
  }

  private listen(runId: string, observe: (event: RunEvent) => void): () => void {
    let set = this.observers.get(runId);
    if (!set) {
      set = new Set();
      this.observers.set(runId, set);
    }
    set.add(observe);
    return () => {
      set.delete(observe);
      if (set.size === 0) this.observers.delete(runId);
    };
  }
}

/** The step with this id, or an error. */
function stepOf(blueprint: Blueprint, stepId: string): Step {
  const step = blueprint.phases.flatMap((p) => p.steps).find((s) => s.id === stepId);
  if (!step) throw new RunServiceError(`the run's blueprint has no step '${stepId}'`);
  return step;
}

/** What the run waits for: from its status and its latest `approval.required` / `rollback.waiting` events. */
export async function waitingOf(
  store: Store,
  run: RunRecord,
  blueprint: Blueprint,
  steps: StepStateRecord[],
): Promise<RunWaiting> {
  const waiting: RunWaiting = { approvals: [], confirmation: null };
  if (!["awaiting_approval", "awaiting_confirmation", "paused_manual"].includes(run.status)) return waiting;
  const events = await store.events(run.id);
  const byStep = new Map(
    blueprint.phases.flatMap((p) => p.steps.map((s) => [s.id, { step: s, phase: p.id }])),
  );
  if (run.status === "awaiting_approval") {
    const approvals = await store.getApprovals(run.id);
    // A step that stopped for a person's decision waits like a step that needs approval.
    const done = new Set(
      steps.filter((s) => s.state !== "pending" && !awaitsDecision(s)).map((s) => s.step_id),
    );
    const seen = new Set<string>();
    for (const event of events) {
      if (event.type !== "approval.required" || !event.step_id || seen.has(event.step_id)) continue;
      const found = byStep.get(event.step_id);
      if (!found || done.has(event.step_id)) continue;
      const hash = stepHash(found.step);
      if (approvals.some((a) => a.step_id === event.step_id && a.step_hash === hash)) continue;
      seen.add(event.step_id);
      const data = event.data as { risk?: number; threshold?: number; decision?: boolean; reason?: string };
      waiting.approvals.push({
        step_id: event.step_id,
        phase_id: found.phase,
        action: found.step.action,
        component: found.step.component,
        name: found.step.name,
        risk: typeof data.risk === "number" ? data.risk : null,
        threshold: typeof data.threshold === "number" ? data.threshold : null,
        reason: data.decision && typeof data.reason === "string" ? data.reason : null,
        code: approvalCode(run, "approval", event.step_id, hash) ?? hash,
      });
    }
    return waiting;
  }
  const last = events.filter((e) => e.type === "rollback.waiting").at(-1);
  const found = last?.step_id ? byStep.get(last.step_id) : undefined;
  if (last?.step_id && found) {
    const data = last.data as { level?: number; instructions?: string };
    waiting.confirmation = {
      step_id: last.step_id,
      level: data.level ?? 1,
      instructions: data.instructions ?? "",
      code: approvalCode(run, "confirmation", last.step_id, stepHash(found.step)) ?? stepHash(found.step),
    };
  }
  return waiting;
}
