import { redactSecrets } from "../adapters/redact.js";
import type { NewEvent, RunEvent, RunStatus, StepState, Store } from "../store/types.js";

/**
 * Every state change of a run goes through here: one event in the append-only log, with the run's
 * status or a step's state changed in the same transaction, then told to the observer. Text in
 * events is redacted: a password in a connection string never reaches the log.
 */
export class Journal {
  constructor(
    private readonly store: Store,
    readonly runId: string,
    private readonly observe?: (event: RunEvent) => void,
  ) {}

  async record(
    type: string,
    where: { phase_id?: string | null; step_id?: string | null; check_id?: string | null } = {},
    data: Record<string, unknown> = {},
    change?: {
      runStatus?: RunStatus;
      step?: { step_id: string; state: StepState; detail?: Record<string, unknown> };
    },
  ): Promise<RunEvent> {
    const event: NewEvent = {
      type,
      phase_id: where.phase_id ?? null,
      step_id: where.step_id ?? null,
      check_id: where.check_id ?? null,
      data: redactSecrets(data) as Record<string, unknown>,
    };
    const safeChange = change?.step?.detail
      ? {
          ...change,
          step: { ...change.step, detail: redactSecrets(change.step.detail) as Record<string, unknown> },
        }
      : change;
    const stored = await this.store.transition(this.runId, event, safeChange);
    this.observe?.(stored);
    // An embedded database (PGlite) answers in microtasks, so a run could hold the event loop from
    // start to end; yielding here lets whatever shares the process (the demo's client, a server's
    // requests, timers) be served between events.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return stored;
  }

  status(status: RunStatus, data: Record<string, unknown> = {}): Promise<RunEvent> {
    return this.record(`run.${status}`, {}, data, { runStatus: status });
  }

  step(
    phaseId: string,
    stepId: string,
    state: StepState,
    data: Record<string, unknown> = {},
  ): Promise<RunEvent> {
    return this.record(`step.${state}`, { phase_id: phaseId, step_id: stepId }, data, {
      step: { step_id: stepId, state, detail: data },
    });
  }
}
