/** The environment `env:NAME` references resolve from. */
export type Environment = Readonly<Record<string, string | undefined>>;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Resolves request headers: a value `env:NAME` is read from the environment, so that a token
 * never sits in a blueprint. Messages name the header and the variable, never a value: header
 * values are secrets until proven otherwise.
 *
 * @example resolveHeaders({ authorization: "env:API_TOKEN" }, { API_TOKEN: "Bearer abc" }, "step 'x'")
 *   // { authorization: "Bearer abc" }
 */
export function resolveHeaders(
  headers: Readonly<Record<string, string>>,
  env: Environment,
  where: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, given] of Object.entries(headers)) {
    if (!TOKEN.test(name)) throw new Error(`${where}: ${JSON.stringify(name)} is not a header name`);
    let value = given;
    if (given.startsWith("env:")) {
      const variable = given.slice(4);
      if (!ENV_NAME.test(variable)) {
        throw new Error(`${where}.${name}: '${given}' is not an environment variable reference (env:NAME)`);
      }
      const resolved = env[variable];
      if (resolved === undefined || resolved === "") {
        throw new Error(
          `${where}.${name}: environment variable ${variable} is not set (the value is env:${variable})`,
        );
      }
      value = resolved;
    }
    // Checked here rather than by fetch, whose error would quote the value.
    if (/[\r\n\0]/.test(value)) {
      throw new Error(`${where}.${name}: the value contains a line break or a NUL character`);
    }
    out[name] = value;
  }
  return out;
}

/** Component headers, then a request's own on top (by name, whatever its case). */
export function mergeHeaders(
  base: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const extraNames = new Set(Object.keys(extra).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(base)) if (!extraNames.has(k.toLowerCase())) out[k] = v;
  return { ...out, ...extra };
}
