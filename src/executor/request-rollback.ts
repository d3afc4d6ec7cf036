import { redactText } from "../adapters/redact.js";
import type { Snapshot } from "../adapters/types.js";
import type { Blueprint } from "../core/blueprint/schema.js";
import { pointInTimeRollback, selectiveRollback } from "../core/rollback/plans.js";
import type { RunRecord } from "../store/types.js";
import type { ExecutorDeps } from "./deps.js";
import { type RollbackPlanRecord, rollBack } from "./rollback.js";
import { RunRefused } from "./runnable.js";
import { closeSession, openSession } from "./session.js";
import { mayHaveChanged } from "./steps.js";

/** What a person asks to roll back (`rollback RUN`, `--to CHECKPOINT`, `--steps a,b`). */
export type RollbackRequest =
  | { kind: "all" }
  | { kind: "checkpoint"; checkpoint: string }
  | { kind: "steps"; steps: string[] };

/** A rollback the core refuses (unknown checkpoint, a kept step depending on a removed one). */
export class RollbackRefused extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Rolls a run back as asked, through the same protocol as an automatic rollback. The plan comes
 * from the core (cascading, point-in-time, selective); only steps that ran are undone.
 */
export async function requestRollback(
  deps: ExecutorDeps,
  runId: string,
  request: RollbackRequest,
): Promise<RunRecord> {
  const run = await deps.store.getRun(runId);
  if (!run) throw new Error(`no run '${runId}' (migration-architect status lists the runs)`);
  if (["rolling_back", "awaiting_confirmation", "paused_manual"].includes(run.status)) {
    throw new RollbackRefused(
      `run ${runId} is already rolling back: migration-architect resume ${runId} continues it`,
      "busy",
    );
  }
  const stored = await deps.store.getBlueprint(run.blueprint_hash);
  const session = await openSession(deps, run, stored?.content as Blueprint).catch((error: Error) => {
    throw new RunRefused(
      `run ${runId} cannot be rolled back now: ${redactText(error.message)}. Nothing was touched.`,
    );
  });
  try {
    await deps.store.setHolder(runId, deps.holder);
    const states = new Map((await deps.store.getStepStates(runId)).map((s) => [s.step_id, s]));
    const ran = (id: string) => mayHaveChanged(states.get(id));
    const checkpoints = await deps.store.getCheckpoints(runId);
    const basis = {
      blueprint: session.blueprint,
      dependencies: session.analysis.dependencies,
      schedule: session.analysis.schedule as NonNullable<typeof session.analysis.schedule>,
    };
    let plan: RollbackPlanRecord;
    let target: Record<string, Snapshot> = {};
    if (request.kind === "checkpoint") {
      const derived = pointInTimeRollback(basis, request.checkpoint);
      if (!derived.ok)
        throw new RollbackRefused(
          derived.diagnostics[0]?.message ?? "refused",
          derived.diagnostics[0]?.code ?? "",
        );
      const record = checkpoints.find((c) => c.checkpoint_id === request.checkpoint);
      if (!record) {
        throw new RollbackRefused(
          `checkpoint '${request.checkpoint}' was never reached in run ${runId}`,
          "MA206",
        );
      }
      target = record.snapshot as Record<string, Snapshot>;
      plan = {
        scope: { kind: "checkpoint", checkpoint: request.checkpoint },
        reason: `rollback to checkpoint ${request.checkpoint}, as asked`,
        steps: derived.value.steps.map((s) => s.step_id).filter(ran),
      };
    } else if (request.kind === "steps") {
      const derived = selectiveRollback(basis, request.steps);
      if (!derived.ok)
        throw new RollbackRefused(
          derived.diagnostics.map((d) => d.message).join("; "),
          derived.diagnostics[0]?.code ?? "",
        );
      // There is no snapshot of "everything but these steps": the undo is checked by the health checks.
      plan = {
        scope: { kind: "steps", stepIds: request.steps, checkpoint: "" },
        reason: `selective rollback of ${request.steps.join(", ")}, as asked`,
        steps: derived.value.steps.map((s) => s.step_id).filter(ran),
      };
    } else {
      target = (checkpoints.find((c) => c.checkpoint_id === "source")?.snapshot ?? {}) as Record<
        string,
        Snapshot
      >;
      const order = session.analysis.schedule?.runOrder ?? [];
      plan = {
        scope: { kind: "all", checkpoint: "source" },
        reason: "rollback of the whole run, as asked",
        steps: [...order]
          .reverse()
          .map((i) => session.analysis.steps[i]?.step.id ?? "")
          .filter(ran),
      };
    }
    await rollBack(session, plan, target, []);
  } finally {
    await deps.store.setHolder(runId, null).catch(() => undefined);
    await closeSession(session);
  }
  return (await deps.store.getRun(runId)) as RunRecord;
}
