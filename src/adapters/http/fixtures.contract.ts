import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Component, HealthCheck } from "../../core/blueprint/schema.js";
import type { StepContext } from "../types.js";
import { httpAdapter } from "./adapter.js";
import type { HttpConnection } from "./connection.js";

/** Helpers for the http adapter's tests (test-only: not part of the build). */

export const component = (connection: string, options?: Record<string, unknown>): Component => ({
  id: "api",
  kind: "http",
  connection,
  ...(options ? { options } : {}),
});

export async function connect(
  url: string,
  options?: Record<string, unknown>,
  env: Record<string, string | undefined> = {},
): Promise<HttpConnection> {
  return (await httpAdapter.connect(component(url, options), env)).connection;
}

export function check(
  type: HealthCheck["type"],
  params: Record<string, unknown> = {},
  timeout?: string,
): HealthCheck {
  return { id: "c", type, stage: "pre", component: "api", params, ...(timeout ? { timeout } : {}) };
}

export function stepContext(signal = new AbortController().signal, log: string[] = []): StepContext {
  return {
    runId: "run-1",
    stepId: "step-1",
    signal,
    log: (line) => log.push(line),
    progress: { get: () => undefined, set: async () => undefined },
  };
}

/** A server answering with `handler`, for what the sample service does not do (redirects, headers). */
export async function startServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A URL nothing listens on: a port the system gave, then closed. */
export async function closedUrl(): Promise<string> {
  const server = await startServer(() => undefined);
  await server.close();
  return server.url;
}
