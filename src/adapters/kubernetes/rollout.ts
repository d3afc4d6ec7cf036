import { setTimeout as sleep } from "node:timers/promises";
import type { V1Deployment } from "@kubernetes/client-node";
import { formatDuration } from "../../core/blueprint/duration.js";
import type { Figures } from "../types.js";
import { request } from "./api-errors.js";
import type { KubernetesConnection } from "./connection.js";

/** How far a deployment's rollout has come, as `kubectl rollout status` judges it. */
export interface RolloutProgress {
  done: boolean;
  /** What is not there yet, one phrase each: "1 of 3 updated replicas are available". */
  waiting: string[];
  figures: Figures;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Complete when the controller has seen the latest spec (observedGeneration ≥ generation), every
 * desired replica runs the new template (updatedReplicas = replicas), they are all available, and
 * no old replica is left. The API server leaves zero counts out, so a missing count is 0.
 */
export function rolloutProgress(deployment: V1Deployment): RolloutProgress {
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const generation = deployment.metadata?.generation ?? 0;
  const observed = status.observedGeneration ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const ready = status.readyReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const unavailable = status.unavailableReplicas ?? Math.max(0, total - available);
  const waiting: string[] = [];
  if (observed < generation) {
    waiting.push(`the controller has not seen generation ${generation} yet (observed ${observed})`);
  } else {
    if (updated < desired) waiting.push(`${updated} of ${desired} replicas run the new template`);
    if (unavailable > 0) waiting.push(`${plural(unavailable, "replica is", "replicas are")} not available`);
    if (total > updated)
      waiting.push(`${plural(total - updated, "old replica is", "old replicas are")} still running`);
    if (waiting.length === 0 && available < desired)
      waiting.push(`${available} of ${desired} replicas are available`);
  }
  return {
    done: waiting.length === 0,
    waiting,
    figures: {
      desired_replicas: desired,
      updated_replicas: updated,
      ready_replicas: ready,
      available_replicas: available,
      replicas: total,
      generation,
      observed_generation: observed,
    },
  };
}

/** The images of a deployment's pod template, `container=image`, for messages. */
export function imagesOf(deployment: V1Deployment): string {
  return (deployment.spec?.template.spec?.containers ?? []).map((c) => `${c.name}=${c.image}`).join(", ");
}

/** Reads one deployment; a missing one is an error naming it. */
export function readDeployment(connection: KubernetesConnection, namespace: string, name: string) {
  return request(`read deployment ${namespace}/${name}`, () =>
    connection.apps.readNamespacedDeployment({ name, namespace }),
  );
}

/** A rollout that did not complete in time: the executor fails the step, and its rollback runs. */
export class RolloutTimeoutError extends Error {
  constructor(namespace: string, name: string, timeoutMs: number, progress: RolloutProgress, images: string) {
    super(
      `deployment ${namespace}/${name} did not finish rolling out within ${formatDuration(timeoutMs)}: ` +
        `${progress.waiting.join("; ")} (images: ${images}). Look at its pods ` +
        `(kubectl -n ${namespace} describe deployment ${name}; kubectl -n ${namespace} get pods), ` +
        "then roll the step back or fix the image and run again",
    );
    this.name = "RolloutTimeoutError";
  }
}

/**
 * Polls a deployment until its rollout is complete, the timeout passes (RolloutTimeoutError) or
 * the run is paused (`signal`). Logs each new state of the rollout once.
 */
export async function waitForRollout(
  connection: KubernetesConnection,
  namespace: string,
  name: string,
  options: { timeoutMs: number; signal?: AbortSignal; log?: (message: string) => void },
): Promise<{ deployment: V1Deployment; progress: RolloutProgress; waitedMs: number }> {
  const started = performance.now();
  let said = "";
  for (;;) {
    const deployment = await readDeployment(connection, namespace, name);
    const progress = rolloutProgress(deployment);
    const waitedMs = Math.round(performance.now() - started);
    if (progress.done) return { deployment, progress, waitedMs };
    const now = progress.waiting.join("; ");
    if (now !== said) options.log?.(`deployment ${namespace}/${name}: waiting: ${now}`);
    said = now;
    if (options.signal?.aborted) {
      throw new Error(
        `stopped: the run was paused while deployment ${namespace}/${name} rolled out (${now})`,
      );
    }
    if (waitedMs >= options.timeoutMs) {
      throw new RolloutTimeoutError(namespace, name, options.timeoutMs, progress, imagesOf(deployment));
    }
    const pause = Math.min(connection.pollMs, Math.max(1, options.timeoutMs - waitedMs));
    await sleep(pause, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
  }
}
