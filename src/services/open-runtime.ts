import { hostname } from "node:os";
import type { Adapter } from "../adapters/types.js";
import { openStore } from "../store/open.js";
import type { OpenRuntime } from "./runtime.js";

/**
 * The default way to open a runtime: the store (`--state DIR` or `MA_STATE_URL`) and this build's
 * adapters, with the process as the run's holder.
 */
export function runtimeOpener(
  adapters: ReadonlyArray<Adapter<unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): OpenRuntime {
  return async (options) => {
    const store = await openStore({ stateDir: options.stateDir, url: options.stateUrl });
    return {
      deps: {
        store,
        adapters,
        env,
        holder: `pid ${process.pid}@${hostname()}`,
        observe: options.observe,
      },
      close: () => store.close(),
    };
  };
}
