/**
 * Runs one phase's steps as soon as the steps of that phase they depend on are done, at most
 * `concurrency` at once, in list order among the ready ones. On the first failure (or when
 * `shouldStart` says no) it starts nothing more, lets the steps already running finish, and
 * reports what happened to each.
 */
export interface PhaseRunResult {
  succeeded: number[];
  failed: { index: number; error: unknown }[];
  /** Steps that were never started (after a failure, or held back by `shouldStart`). */
  notStarted: number[];
  /** The step `shouldStart` held back first, if any. */
  heldBack?: number;
}

export async function runPhaseSteps(options: {
  /** Step indexes of the phase, in list order. */
  members: readonly number[];
  /** In-phase predecessors of each step index. */
  predecessors: (index: number) => readonly number[];
  /** Steps already done (resumed runs): treated as succeeded without running. */
  done: ReadonlySet<number>;
  concurrency: number;
  /** Asked before a step starts; false holds it (and everything after it) back. */
  shouldStart: (index: number) => Promise<boolean>;
  run: (index: number) => Promise<void>;
}): Promise<PhaseRunResult> {
  const { members, done, run } = options;
  const inPhase = new Set(members);
  const waiting = new Map<number, number>();
  const dependents = new Map<number, number[]>();
  for (const i of members) {
    let count = 0;
    for (const p of options.predecessors(i)) {
      if (!inPhase.has(p) || done.has(p)) continue;
      count++;
      const list = dependents.get(p) ?? [];
      list.push(i);
      dependents.set(p, list);
    }
    waiting.set(i, count);
  }
  const ready = members.filter((i) => !done.has(i) && waiting.get(i) === 0);
  const result: PhaseRunResult = { succeeded: [], failed: [], notStarted: [] };
  const started = new Set<number>();
  let stopping = false;
  const running = new Set<Promise<void>>();

  const launch = async (index: number) => {
    started.add(index);
    try {
      await run(index);
      result.succeeded.push(index);
      for (const next of dependents.get(index) ?? []) {
        const left = (waiting.get(next) ?? 1) - 1;
        waiting.set(next, left);
        if (left === 0) insertInOrder(ready, next, members);
      }
    } catch (error) {
      result.failed.push({ index, error });
      stopping = true;
    }
  };

  while (!stopping && (ready.length > 0 || running.size > 0)) {
    while (!stopping && ready.length > 0 && running.size < Math.max(1, options.concurrency)) {
      const index = ready.shift() as number;
      if (!(await options.shouldStart(index))) {
        result.heldBack = index;
        stopping = true;
        break;
      }
      const task = launch(index).finally(() => running.delete(task));
      running.add(task);
    }
    if (running.size > 0) await Promise.race(running);
  }
  await Promise.all(running);
  result.notStarted = members.filter((i) => !done.has(i) && !started.has(i));
  return result;
}

/** Keeps the ready list in list order, so ties go to the step listed first. */
function insertInOrder(ready: number[], index: number, members: readonly number[]): void {
  const rank = (i: number) => members.indexOf(i);
  const at = ready.findIndex((r) => rank(r) > rank(index));
  if (at === -1) ready.push(index);
  else ready.splice(at, 0, index);
}
