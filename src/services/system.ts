import { type ConnectionTarget, redactConnection, resolveConnection } from "../adapters/connection-string.js";
import type { Adapter } from "../adapters/types.js";
import type { Component } from "../core/blueprint/schema.js";

/**
 * The system a planner or an assistant works on: its components (as a blueprint names them) and
 * their discovery, read once and kept. Discovery is read-only; the session never writes.
 */
export interface SystemSession {
  /** The components, as they go into a blueprint's source and target state. */
  readonly components: readonly Component[];
  /** Resolves `env:NAME` connection references. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly adapters: ReadonlyArray<Adapter<unknown>>;
  /**
   * The component's discovery (a `PgDiscovery` for postgres), read on first use and kept until
   * `refresh`. Rejects, with a redacted message, when the component cannot be reached.
   */
  discover(componentId: string): Promise<unknown>;
  /** Every component's discovery, by id; components that fail are left out and listed. */
  discoverAll(): Promise<{
    discovery: Map<string, unknown>;
    failures: { component: string; message: string }[];
  }>;
  /** Forgets what was discovered, so that the next `discover` reads the component again. */
  refresh(): void;
  /** The component with this id, or an error naming the ones there are. */
  component(componentId: string): Component;
}

/** A component id no component has; the message lists the ones there are. */
export class UnknownComponentError extends Error {
  constructor(id: string, known: readonly string[]) {
    super(
      `there is no component '${id}'; the system has ${known.length ? known.map((k) => `'${k}'`).join(", ") : "none"}`,
    );
    this.name = "UnknownComponentError";
  }
}

export function openSystem(
  components: readonly Component[],
  adapters: ReadonlyArray<Adapter<unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): SystemSession {
  const cache = new Map<string, Promise<unknown>>();
  const component = (id: string): Component => {
    const found = components.find((c) => c.id === id);
    if (!found)
      throw new UnknownComponentError(
        id,
        components.map((c) => c.id),
      );
    return found;
  };
  const discover = (id: string): Promise<unknown> => {
    const cached = cache.get(id);
    if (cached) return cached;
    const target = component(id);
    const adapter = adapters.find((a) => a.kind === target.kind);
    const pending = (async () => {
      if (!adapter) throw new Error(`component '${id}': this build has no ${target.kind} adapter`);
      const connected = await adapter.connect(target, env);
      try {
        return await adapter.discover(connected.connection);
      } finally {
        await connected.close();
      }
    })().catch((error: unknown) => {
      // Redacted here, where the error enters the session: no caller has to remember to.
      throw new Error(redactConnection((error as Error)?.message ?? String(error)));
    });
    // A failure is not kept: the next call tries again (the server may be back).
    pending.catch(() => cache.delete(id));
    cache.set(id, pending);
    return pending;
  };
  return {
    components,
    env,
    adapters,
    component,
    discover,
    async discoverAll() {
      const discovery = new Map<string, unknown>();
      const failures: { component: string; message: string }[] = [];
      for (const c of components) {
        try {
          discovery.set(c.id, await discover(c.id));
        } catch (error) {
          failures.push({ component: c.id, message: (error as Error).message });
        }
      }
      return { discovery, failures };
    },
    refresh: () => cache.clear(),
  };
}

/** A `--target` given on the command line: the component it names, and what its reference needs. */
export interface ParsedTarget {
  component: Component;
  /**
   * Environment additions that make `component.connection` resolve: a URL with a password is
   * written into the blueprint as `env:NAME`, never literally, and its value kept here.
   */
  env: Record<string, string>;
  /** What to tell the user (where the password went), or nothing. */
  note?: string;
}

const SPEC_HELP =
  "expected [ID=]REFERENCE, where REFERENCE is postgres://…, postgresql://…, pglite:PATH, pglite:memory or env:NAME (a database), router:ADMIN_URL?public=URL (the embedded router of `migration-architect router`), or http://… (a service) (ID defaults to db)";

/**
 * `router:http://127.0.0.1:8081?public=http://127.0.0.1:8080`: a traffic component served by the
 * embedded router, its admin URL as the connection and the URL clients use as `public_url`.
 */
function routerTarget(id: string, reference: string, text: string): ParsedTarget {
  let admin: URL;
  try {
    admin = new URL(reference);
  } catch {
    throw new Error(`--target ${redactConnection(text)}: router: needs the router's admin URL; ${SPEC_HELP}`);
  }
  const publicUrl = admin.searchParams.get("public");
  if (!publicUrl)
    throw new Error(
      `--target ${redactConnection(text)}: say where clients reach the route: router:ADMIN_URL?public=http://…`,
    );
  admin.search = "";
  return {
    component: {
      id,
      kind: "traffic",
      connection: admin.toString().replace(/\/$/, ""),
      options: { public_url: publicUrl },
    },
    env: {},
  };
}

/**
 * Parses a component spec: `[ID=]REFERENCE`, e.g. `app-db=env:DATABASE_URL`,
 * `postgres://localhost/shop`, `pglite:./shop`, `web=router:http://127.0.0.1:8081?public=…`. A
 * database target is a postgres component (the kind PostgreSQL and PGlite share). A URL with a password is not written into the blueprint: the
 * component gets `env:MA_TARGET_<ID>` and the URL goes to `env` for this process.
 */
export function parseTarget(spec: string, env: Readonly<Record<string, string | undefined>>): ParsedTarget {
  const text = spec.trim();
  const match = /^([a-z][a-z0-9_-]*)=(.+)$/i.exec(text);
  const id = match?.[1] ?? "db";
  const reference = (match?.[2] ?? text).trim();
  if (!/^[a-z][a-z0-9_-]*$/.test(id)) {
    throw new Error(`the target id '${id}' is not a valid component id (lowercase letters, digits, - and _)`);
  }
  if (reference.startsWith("router:")) return routerTarget(id, reference.slice("router:".length), text);
  if (/^https?:\/\//i.test(reference)) {
    return { component: { id, kind: "http", connection: reference }, env: {} };
  }
  let target: ConnectionTarget;
  try {
    target = resolveConnection(reference, env);
  } catch (error) {
    throw new Error(`--target ${redactConnection(text)}: ${(error as Error).message}; ${SPEC_HELP}`);
  }
  const component: Component = { id, kind: "postgres", connection: reference };
  if (!reference.startsWith("env:") && target.kind === "postgres" && hasPassword(target.url)) {
    const name = `MA_TARGET_${id.toUpperCase().replace(/-/g, "_")}`;
    return {
      component: { ...component, connection: `env:${name}` },
      env: { [name]: target.url },
      note: `the blueprint reads the connection from env:${name} (a password never sits in a blueprint); export ${name} before running it elsewhere`,
    };
  }
  return { component, env: {} };
}

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== "";
  } catch {
    return false;
  }
}
