import { changedNothing } from "../adapters/changed-nothing.js";
import { needsDecision } from "../adapters/needs-decision.js";
import type { ActionDef, StepContext } from "../adapters/types.js";
import type { StepRef } from "../core/blueprint/step-index.js";
import type { StepStateRecord } from "../store/types.js";
import type { LiveComponent, RunSession } from "./session.js";

/** The action definition behind a name, with the component to run it on. */
export function actionFor(
  session: RunSession,
  actionName: string,
  componentId: string,
): {
  def: ActionDef<Record<string, unknown>, unknown>;
  live: LiveComponent;
} {
  const live = session.components.get(componentId);
  if (!live) throw new Error(`component '${componentId}' is not connected`);
  const def = live.adapter.actions.find((a) => a.name === actionName);
  if (!def) throw new Error(`the ${live.adapter.kind} adapter has no action '${actionName}'`);
  return { def, live };
}

function contextFor(
  session: RunSession,
  ref: StepRef,
  progress: Record<string, unknown> | undefined,
): StepContext {
  let current = progress;
  return {
    runId: session.run.id,
    stepId: ref.step.id,
    signal: session.abort.signal,
    log: (message) => {
      void session.journal.record("step.log", { phase_id: ref.phase.id, step_id: ref.step.id }, { message });
    },
    progress: {
      get: () => current,
      set: async (value) => {
        current = value;
        await session.deps.store.setStepProgress(session.run.id, ref.step.id, value);
      },
    },
  };
}

/**
 * Runs one step: running → apply → verify → succeeded, or → failed with the error. A step found
 * `running` after a crash is verified first: if its effect is in place it is done, otherwise it is
 * applied again (actions are idempotent).
 */
export async function runStep(
  session: RunSession,
  ref: StepRef,
  resume: { wasRunning: boolean; progress?: Record<string, unknown> },
): Promise<void> {
  const { step, phase } = ref;
  const started = Date.now();
  try {
    const { def, live } = actionFor(session, step.action, step.component);
    const params = def.params.parse(step.params ?? {});
    const connection = live.connected.connection;
    if (resume.wasRunning && (await def.verify(connection, params))) {
      await session.journal.step(phase.id, step.id, "succeeded", {
        resumed: true,
        note: "already applied before the crash",
      });
      return;
    }
    await session.journal.step(phase.id, step.id, "running", {
      action: step.action,
      description: def.describe(params),
    });
    const outcome = await def.apply(connection, params, contextFor(session, ref, resume.progress));
    if (!(await def.verify(connection, params))) {
      throw new Error(`${step.action} finished, but its effect is not in place (verify failed)`);
    }
    await session.journal.step(phase.id, step.id, "succeeded", {
      duration_ms: Date.now() - started,
      figures: outcome.figures ?? {},
      notes: outcome.notes ?? [],
    });
  } catch (error) {
    await session.journal.step(phase.id, step.id, "failed", {
      duration_ms: Date.now() - started,
      error: (error as Error).message ?? String(error),
      // A refusal before any change: a rollback leaves this step alone (mayHaveChanged).
      ...(changedNothing(error) && !resume.wasRunning ? { changed_nothing: true } : {}),
      // An inconclusive result: the run waits for a person to accept it or roll back.
      ...(needsDecision(error) ? { needs_decision: true, figures: error.figures } : {}),
    });
    throw error;
  }
}

/** Whether a step stopped asking a person to decide (an inconclusive canary analysis). */
export function awaitsDecision(state: StepStateRecord | undefined): boolean {
  return state?.state === "failed" && state.detail.needs_decision === true;
}

/**
 * Whether a step may have changed something, so that a rollback must undo it: it succeeded, was
 * running, or failed other than by a refusal before any change (`changed_nothing`).
 */
export function mayHaveChanged(state: StepStateRecord | undefined): boolean {
  if (!state) return false;
  if (state.state === "succeeded" || state.state === "running") return true;
  return state.state === "failed" && state.detail.changed_nothing !== true;
}
