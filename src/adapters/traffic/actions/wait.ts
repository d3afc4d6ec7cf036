import { setTimeout as sleep } from "node:timers/promises";

/** Waits `ms`, or rejects with a clear error when the run is paused or stopped meanwhile. */
export async function waitFor(ms: number, signal: AbortSignal, what: string): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    throw new Error(`${what} was interrupted: the run was paused or stopped`);
  }
}
