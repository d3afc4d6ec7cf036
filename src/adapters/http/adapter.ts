import { inProcessLocks } from "../in-process-locks.js";
import type { ActionDef, Adapter } from "../types.js";
import { connectHttp, type HttpConnection } from "./connection.js";
import { discoverHttp } from "./discover.js";
import { healthCheckHttp } from "./health-check.js";
import { httpRequest } from "./request.js";
import { snapshotHttp } from "./snapshot.js";

/** Builds an `http` adapter with its own table of in-process locks. */
export function createHttpAdapter(): Adapter<HttpConnection> {
  return {
    kind: "http",
    actions: [httpRequest] as unknown as ReadonlyArray<ActionDef<Record<string, unknown>, HttpConnection>>,
    connect: connectHttp,
    discover: discoverHttp,
    healthCheck: healthCheckHttp,
    snapshot: snapshotHttp,
    lock: inProcessLocks("http"),
  };
}

/** The `http` adapter of this build: `http.request`, HTTP health checks, in-process locks. */
export const httpAdapter = createHttpAdapter();
