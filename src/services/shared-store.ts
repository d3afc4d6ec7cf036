import type { Store } from "../store/types.js";

/**
 * One store shared by every call of a long-lived process (the MCP and HTTP servers), open only
 * while some call uses it. PGlite serves one process at a time: a server that kept its state
 * directory open would lock the person's own `migration-architect status` and `approve` out of
 * it for as long as the server runs. Here the store closes when the last user lets go, so a run
 * that waits for an approval leaves the directory free for the person to read.
 */
export class SharedStore {
  private open: Promise<Store> | undefined;
  private users = 0;
  private closing: Promise<void> = Promise.resolve();

  constructor(private readonly opener: () => Promise<Store>) {}

  /** Runs `work` with the store, opening it when no one else has it open. */
  async use<T>(work: (store: Store) => Promise<T>): Promise<T> {
    // Wait out a close in progress (another may begin while waiting): opening the directory again
    // before it is let go would find it locked by this very process.
    for (let pending = this.closing; ; pending = this.closing) {
      await pending;
      if (pending === this.closing) break;
    }
    this.users++;
    if (!this.open) {
      const opening = this.opener();
      this.open = opening;
      // A failed open is not kept: the next call tries again.
      opening.catch(() => {
        if (this.open === opening) this.open = undefined;
      });
    }
    try {
      return await work(await this.open);
    } finally {
      this.users--;
      if (this.users === 0) this.release();
    }
  }

  private release(): void {
    const open = this.open;
    this.open = undefined;
    if (!open) return;
    // A close that fails must not wedge every later call: the next one opens afresh.
    this.closing = open.then(
      (store) => store.close().catch(() => undefined),
      () => undefined,
    );
  }

  /** Waits for a pending close (at shutdown). */
  async settle(): Promise<void> {
    await this.closing;
  }
}

/**
 * An opener that opens once and never lets go (its store's `close` does nothing until `shutdown`):
 * for a store in memory, which would lose every run at its first close, and for tests.
 */
export function keptOpen(opener: () => Promise<Store>): {
  opener: () => Promise<Store>;
  shutdown(): Promise<void>;
} {
  let opened: Promise<Store> | undefined;
  return {
    opener: () => {
      opened ??= opener();
      return opened.then(
        (store) =>
          new Proxy(store, {
            get: (target, key, receiver) =>
              key === "close" ? async () => undefined : Reflect.get(target, key, receiver),
          }),
      );
    },
    shutdown: async () => {
      if (opened) await (await opened).close();
    },
  };
}
