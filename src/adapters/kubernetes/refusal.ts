import type { ChangedNothing } from "../changed-nothing.js";
import { redactText } from "../redact.js";

/**
 * A step that stopped before it changed anything in the cluster (the deployment does not exist,
 * the container is not in it, the API server cannot be reached for the first read): a rollback
 * leaves the step alone.
 */
export class KubernetesRefusal extends Error implements ChangedNothing {
  readonly changedNothing = true as const;
  constructor(message: string) {
    super(redactText(message));
    this.name = "KubernetesRefusal";
  }
}

/** Runs the reads a step makes before its first write; any failure of them changed nothing. */
export async function beforeChanging<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof KubernetesRefusal) throw error;
    throw new KubernetesRefusal((error as Error).message ?? String(error));
  }
}
