/**
 * A component's `connection` reference, resolved (DESIGN.md §3: "a reference; a secret never sits
 * in a blueprint"): `env:NAME`, a `postgres://` or `postgresql://` URL, `pglite:memory` or
 * `pglite:PATH`. Every message built here is redacted: a password never reaches a log, an event,
 * a report or an error.
 */

/** Where a PostgreSQL component lives. `describe` is safe to print. */
export type ConnectionTarget =
  | { kind: "postgres"; url: string; describe: string }
  | { kind: "pglite-memory"; describe: string }
  | { kind: "pglite-file"; path: string; describe: string };

/** A connection reference that cannot be resolved; the message names the reference, redacted. */
export class ConnectionReferenceError extends Error {
  constructor(message: string) {
    super(redactConnection(message));
    this.name = "ConnectionReferenceError";
  }
}

const ACCEPTED = "env:NAME, postgres://…, postgresql://…, pglite:memory or pglite:PATH";

/**
 * Resolves a component's connection reference. `env:NAME` is read from `env` (one level: the
 * variable holds a URL or a `pglite:` reference, not another `env:`).
 *
 * @example resolveConnection("env:DATABASE_URL", { DATABASE_URL: "postgres://app:pw@db/shop" })
 *   // { kind: "postgres", url: "postgres://app:pw@db/shop",
 *   //   describe: "postgres://app:***@db/shop (from env:DATABASE_URL)" }
 */
export function resolveConnection(
  reference: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ConnectionTarget {
  const text = reference?.trim();
  if (!text) throw new ConnectionReferenceError(`no connection given (expected ${ACCEPTED})`);
  if (text.startsWith("env:")) {
    const name = text.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ConnectionReferenceError(`'${text}' is not an environment variable reference (env:NAME)`);
    }
    const value = env[name]?.trim();
    if (!value) {
      throw new ConnectionReferenceError(
        `environment variable ${name} is not set (the connection is env:${name})`,
      );
    }
    if (value.startsWith("env:")) {
      throw new ConnectionReferenceError(
        `environment variable ${name} holds another reference (${value}); give it the URL itself`,
      );
    }
    const target = parseDirect(value, `environment variable ${name}`);
    return { ...target, describe: `${target.describe} (from env:${name})` };
  }
  return parseDirect(text, "the connection");
}

function parseDirect(text: string, where: string): ConnectionTarget {
  if (/^postgres(ql)?:\/\//i.test(text)) {
    try {
      new URL(text);
    } catch {
      throw new ConnectionReferenceError(`${where} is not a valid URL: ${text}`);
    }
    return { kind: "postgres", url: text, describe: redactConnection(text) };
  }
  if (text === "pglite:memory") return { kind: "pglite-memory", describe: "pglite:memory" };
  if (text.startsWith("pglite:")) {
    const path = text.slice("pglite:".length);
    if (!path) throw new ConnectionReferenceError(`${where}: pglite: needs a path, or memory`);
    return { kind: "pglite-file", path, describe: `pglite:${path}` };
  }
  throw new ConnectionReferenceError(
    `${where} is not a connection reference: '${text}' (expected ${ACCEPTED})`,
  );
}

/**
 * Replaces every password in `text`: a URL's (`postgres://user:secret@host` →
 * `postgres://user:***@host`) and `password=…` key/value forms (libpq strings, query strings,
 * JSON). When in doubt it hides more rather than less: a URL's password runs to the last `@`.
 *
 * @example redactConnection("host=db password='x y' user=app") // "host=db password='***' user=app"
 */
export function redactConnection(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s'"<>]+)/gi, (_m, scheme: string, rest: string) => {
      const at = rest.lastIndexOf("@");
      if (at === -1) return scheme + rest;
      const userinfo = rest.slice(0, at);
      const colon = userinfo.indexOf(":");
      if (colon === -1) return scheme + rest;
      return `${scheme}${userinfo.slice(0, colon)}:***${rest.slice(at)}`;
    })
    .replace(
      /\b(\w*(?:password|passwd|pwd))(["']?\s*[=:]\s*)("[^"]*"|'(?:[^'\\]|\\.)*'|[^\s&;,'"]+)/gi,
      (_m, key: string, sep: string, value: string) => {
        const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : "";
        return `${key}${sep}${quote}***${quote}`;
      },
    );
}
