import { z } from "zod";
import { parseDuration } from "../../core/blueprint/duration.js";
import type { Component } from "../../core/blueprint/schema.js";
import { Duration } from "../../core/blueprint/schema.js";
import type { Connected } from "../types.js";
import { type Environment, resolveHeaders } from "./headers.js";

/** An `http` component: a base URL and what every request to it carries. Nothing is opened. */
export interface HttpConnection {
  componentId: string;
  /** The base URL without userinfo; request paths are appended to its path. */
  base: URL;
  /** Headers sent with every request, `env:` references resolved. Never printed. */
  headers: Readonly<Record<string, string>>;
  /** Resolves `env:NAME` header values of steps and checks. */
  env: Environment;
  versionPath: string;
  healthPath: string;
  /** How long discovery and snapshot requests may take. */
  timeoutMs: number;
  /** The base URL, safe to print. */
  describe: string;
}

/** A request path: absolute on the component's base URL, never another host (`//host`). */
export const RequestPath = z
  .string()
  .regex(/^\/(?!\/)/, { error: "expected a path starting with a single '/', such as /healthz" });

const HttpOptions = z.strictObject({
  headers: z.record(z.string(), z.string()).optional(),
  version_path: RequestPath.optional(),
  health_path: RequestPath.optional(),
  timeout: Duration.optional(),
});

export const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * "Connects" to an HTTP service: resolves and checks its base URL (`http://…`, `https://…`, or
 * `env:NAME` holding one) and its options; no request is made, so a service that is down can
 * still be planned against. A password in the URL becomes a basic `authorization` header.
 */
export async function connectHttp(
  component: Component,
  env: Environment,
): Promise<Connected<HttpConnection>> {
  const where = `component '${component.id}'`;
  const options = HttpOptions.safeParse(component.options ?? {});
  if (!options.success) {
    const issue = options.error.issues[0];
    const path = issue?.path.length ? `.${issue.path.join(".")}` : "";
    throw new Error(`${where}: options${path}: ${issue?.message}`);
  }
  const { url, from } = resolveUrl(component.connection, env, where);
  const headers = resolveHeaders(options.data.headers ?? {}, env, `${where}: options.headers`);
  if ((url.username || url.password) && !hasHeader(headers, "authorization")) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  }
  url.username = "";
  url.password = "";
  const describe = `${url.href.replace(/\/$/, "")}${from}`;
  const connection: HttpConnection = {
    componentId: component.id,
    base: url,
    headers,
    env,
    versionPath: options.data.version_path ?? "/version",
    healthPath: options.data.health_path ?? "/healthz",
    timeoutMs: (options.data.timeout ? parseDuration(options.data.timeout) : undefined) ?? DEFAULT_TIMEOUT_MS,
    describe,
  };
  return { connection, describe, close: async () => undefined };
}

function resolveUrl(
  reference: string | undefined,
  env: Environment,
  where: string,
): { url: URL; from: string } {
  const text = reference?.trim();
  if (!text) {
    throw new Error(
      `${where}: no connection given; give the service's base URL, such as http://127.0.0.1:9001`,
    );
  }
  let value = text;
  let from = "";
  if (text.startsWith("env:")) {
    const name = text.slice(4);
    const resolved = env[name]?.trim();
    if (!resolved)
      throw new Error(`${where}: environment variable ${name} is not set (the connection is ${text})`);
    value = resolved;
    from = ` (from ${text})`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `${where}: the connection${from} is not a URL; expected http://host:port or https://host`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(
      `${where}: the connection${from} is a ${url.protocol} URL; the http adapter needs http: or https:`,
    );
  }
  if (url.search || url.hash) {
    throw new Error(
      `${where}: the connection${from} has a query or a fragment; give the base URL only (paths go in the steps and checks)`,
    );
  }
  return { url, from };
}

const hasHeader = (headers: Record<string, string>, name: string) =>
  Object.keys(headers).some((k) => k.toLowerCase() === name);
