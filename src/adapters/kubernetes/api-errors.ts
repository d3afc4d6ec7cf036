import { redactText } from "../redact.js";

/**
 * A request to the Kubernetes API that failed, with what was asked and what to do. The message
 * comes from the API server's `Status` (`deployments.apps "web" not found`) or the network error,
 * never from the client's own exception text, which carries whole response bodies and headers.
 */
export class KubernetesApiError extends Error {
  constructor(
    /** What was asked: `read deployment shop/web`. */
    readonly what: string,
    /** The HTTP status, when the API server answered. */
    readonly code: number | undefined,
    detail: string,
  ) {
    super(redactText(`${what}: ${detail}`));
    this.name = "KubernetesApiError";
  }
}

/** Runs one API request, turning its failure into a KubernetesApiError. */
export async function request<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asApiError(what, error);
  }
}

/** Like `request`, but a 404 is `undefined`: the object does not exist. */
export async function requestIfExists<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    const failure = asApiError(what, error);
    if (failure.code === 404) return undefined;
    throw failure;
  }
}

export function asApiError(what: string, error: unknown): KubernetesApiError {
  if (error instanceof KubernetesApiError) return error;
  const e = error as { code?: unknown; body?: unknown; message?: string; type?: string };
  if (typeof e.code === "number")
    return new KubernetesApiError(what, e.code, answer(e.code, statusMessage(e.body)));
  // No HTTP answer: node-fetch's FetchError (`connect ECONNREFUSED 127.0.0.1:6443`), a TLS error, …
  const reason = (e.message ?? String(error)).replace(/^request to \S+ failed, reason: /, "");
  return new KubernetesApiError(
    what,
    undefined,
    `the API server did not answer (${reason.split("\n")[0]}): check that the cluster is up and the kubeconfig's server address`,
  );
}

function answer(code: number, message: string | undefined): string {
  const said = message ? `: ${message}` : "";
  switch (code) {
    case 401:
      return `the API server refused the credentials (401 Unauthorized): check the kubeconfig's user (token or certificate, and whether it expired)`;
    case 403:
      return `forbidden (403)${said}: give the kubeconfig's user the permission (RBAC), or use another user`;
    case 409:
      return `conflict (409)${said}: another client changed it meanwhile; run the step again`;
    case 422:
      return `the API server refused it as invalid (422)${said}`;
    default:
      return `HTTP ${code}${said}`;
  }
}

/** The `message` of the `Status` an API server sends with an error, if the body is one. */
function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message.slice(0, 500) : undefined;
}
