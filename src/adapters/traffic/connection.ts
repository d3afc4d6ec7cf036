import { resolve } from "node:path";
import { z } from "zod";
import type { Component } from "../../core/blueprint/schema.js";
import { redactText } from "../redact.js";
import type { Connected } from "../types.js";
import { embeddedRouter } from "./embedded-client.js";
import { nginxRouter } from "./nginx/nginx-router.js";
import type { TrafficRouter } from "./route.js";

/** A traffic component, connected: its router, and the route's id. */
export interface TrafficConnection {
  componentId: string;
  router: TrafficRouter;
}

const Url = z.url({ protocol: /^https?$/, error: "expected an http:// URL" });

const Embedded = z.strictObject({
  router: z.literal("embedded").optional(),
  /** Where clients reach the route (health checks through the router use it); `env:NAME` allowed. */
  public_url: z.string().min(1),
  /** The admin API's bearer token, as `env:NAME`: a secret never sits in a blueprint. */
  admin_token: z
    .string()
    .regex(/^env:[A-Za-z_][A-Za-z0-9_]*$/, {
      error: "give the token as env:NAME; a secret never sits in a blueprint",
    })
    .optional(),
});

const Nginx = z.strictObject({
  router: z.literal("nginx"),
  conf: z.string().min(1),
  site: z.string().min(1),
  listen: z
    .string()
    .regex(/^(?:[\w.-]+:)?\d+$/, { error: "expected host:port or a port, such as 127.0.0.1:8080" }),
  public_url: Url.optional(),
  upstreams: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), Url).refine((u) => Object.keys(u).length > 0, {
    error: "name at least one upstream",
  }),
  weights: z.record(z.string(), z.int().min(0)).optional(),
  command: z.array(z.string().min(1)).min(1).optional(),
  access_log: z.string().optional(),
  mirror_log: z.string().optional(),
});

const USAGE =
  "a traffic component is either { connection: <the embedded router's admin URL>, options: { public_url } } or { options: { router: nginx, conf, site, listen, upstreams } }";

/**
 * Connects to a traffic component's router: the embedded proxy through its admin URL (the
 * component's `connection`, `env:NAME` allowed), or nginx through its config files. Nothing is
 * changed by connecting.
 */
export async function connectTraffic(
  component: Component,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Connected<TrafficConnection>> {
  const raw = { ...(component.options ?? {}) };
  delete (raw as Record<string, unknown>).lock_timeout; // the executor passes the blueprint's to every component
  const fail = (detail: string): never => {
    throw new Error(`traffic component '${component.id}': ${detail} (${USAGE})`);
  };
  let router: TrafficRouter;
  if (raw.router === "nginx") {
    const parsed = Nginx.safeParse(raw);
    if (!parsed.success) return fail(issueOf(parsed.error));
    const o = parsed.data;
    const listen = o.listen.includes(":") ? o.listen : `127.0.0.1:${o.listen}`;
    router = nginxRouter({
      name: component.id,
      conf: resolve(o.conf),
      site: resolve(o.site),
      command: o.command ?? ["nginx"],
      listen,
      publicUrl: o.public_url ?? `http://${listen}`,
      upstreams: o.upstreams,
      ...(o.weights ? { initialWeights: o.weights } : {}),
      ...(o.access_log ? { accessLog: resolve(o.access_log) } : {}),
      ...(o.mirror_log ? { mirrorLog: resolve(o.mirror_log) } : {}),
    });
  } else {
    const parsed = Embedded.safeParse(raw);
    if (!parsed.success) return fail(issueOf(parsed.error));
    const adminUrl =
      fromEnv(component.connection, env, "connection") ??
      fail("give the router's admin URL as its connection");
    if (!/^https?:\/\//.test(adminUrl))
      fail(`the connection must be the admin URL (http://…), not '${redactText(adminUrl)}'`);
    if (/^https?:\/\/[^/]*@/.test(adminUrl))
      fail(
        `the admin URL '${redactText(adminUrl)}' carries a user or password; give the router's admin token as options.admin_token: env:NAME instead`,
      );
    const token = fromEnv(parsed.data.admin_token, env, "options.admin_token");
    const publicUrl = fromEnv(parsed.data.public_url, env, "options.public_url") as string;
    if (!Url.safeParse(publicUrl).success) fail(`options.public_url must be an http:// URL`);
    router = embeddedRouter({ adminUrl, publicUrl, token });
  }
  const connection: TrafficConnection = { componentId: component.id, router };
  return { connection, describe: router.describe, close: () => router.close() };
}

/** `env:NAME` read from the environment; any other text as it is. */
export function fromEnv(
  value: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
): string | undefined {
  if (value === undefined) return undefined;
  if (!value.startsWith("env:")) return value;
  const name = value.slice(4);
  const found = env[name];
  if (!found) throw new Error(`${where} is ${value}, and environment variable ${name} is not set`);
  return found;
}

function issueOf(error: z.ZodError): string {
  const issue = error.issues[0];
  return `options${issue?.path.length ? `.${issue.path.join(".")}` : ""}: ${issue?.message}`;
}
