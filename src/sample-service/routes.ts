import { setTimeout as sleep } from "node:timers/promises";

/** The faults a version is made to show: a delay before every answer, and a share of 500s. */
export interface Faults {
  error_rate: number;
  latency_ms: number;
}

/** What one running sample service knows: its version name, its faults and its admin flags. */
export interface SampleState {
  name: string;
  faults: Faults;
  flags: Map<string, unknown>;
  random: () => number;
}

/** An answer: a status and a JSON body. */
export interface Reply {
  status: number;
  body: unknown;
}

const FLAG_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Answers one request. `/healthz` and `/version` never see the faults (a bad release often passes
 * its health endpoint, which is why a migration also needs functional and performance checks), nor
 * does `/admin/…`; every other path waits `latency_ms`, then fails with a 500 at `error_rate`.
 */
export async function answer(
  method: string,
  path: string,
  readBody: () => Promise<string>,
  state: SampleState,
): Promise<Reply> {
  if (path === "/healthz" && method === "GET") return ok({ status: "ok", version: state.name });
  if (path === "/version" && method === "GET") return ok({ service: "sample", version: state.name });
  if (path === "/admin/flags" || path.startsWith("/admin/flags/")) {
    return admin(method, path, readBody, state);
  }
  if (state.faults.latency_ms > 0) await sleep(state.faults.latency_ms);
  if (state.faults.error_rate > 0 && state.random() < state.faults.error_rate) {
    return { status: 500, body: { error: "simulated fault" } };
  }
  const order = /^\/orders\/([^/]+)$/.exec(path);
  if (order && method === "GET") {
    const id = Number(order[1]);
    if (!/^\d+$/.test(order[1] ?? "") || !Number.isSafeInteger(id)) {
      return notFound(`no order ${JSON.stringify(order[1])}: an order id is a whole number`);
    }
    return ok({ id, total_cents: totalCents(id), currency: "EUR", version: state.name });
  }
  return notFound(`no route for ${method} ${path}`);
}

/** The admin endpoints `http.request` steps call: read, set and remove flags. */
async function admin(
  method: string,
  path: string,
  readBody: () => Promise<string>,
  state: SampleState,
): Promise<Reply> {
  if (path === "/admin/flags") {
    return method === "GET"
      ? ok({ flags: Object.fromEntries(state.flags) })
      : notFound(`no route for ${method} ${path}`);
  }
  const name = decodeURIComponent(path.slice("/admin/flags/".length));
  if (!FLAG_NAME.test(name))
    return notFound(`no flag ${JSON.stringify(name)}: a flag name is letters, digits, '_', '.', '-'`);
  if (method === "PUT") {
    const text = await readBody();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { status: 400, body: { error: 'expected a JSON body: {"value": …}' } };
    }
    if (!parsed || typeof parsed !== "object" || !("value" in parsed)) {
      return { status: 400, body: { error: 'expected a JSON body: {"value": …}' } };
    }
    state.flags.set(name, (parsed as { value: unknown }).value);
    return ok({ flag: name, value: state.flags.get(name) });
  }
  if (method === "DELETE") {
    const existed = state.flags.delete(name);
    return ok({ flag: name, removed: existed });
  }
  if (method === "GET" && state.flags.has(name)) return ok({ flag: name, value: state.flags.get(name) });
  return notFound(`no route for ${method} ${path}`);
}

/** An order's total: the same for the same id in every version, so versions can be compared. */
export function totalCents(id: number): number {
  return 100 + ((id * 7_919) % 99_901);
}

/** Reads a request body as text, refusing more than 64 KiB. */
export function bodyReader(stream: AsyncIterable<Buffer | string>): () => Promise<string> {
  return async () => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
      chunks.push(buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
  };
}

/** A request body over the limit: answered with a 413. */
export class BodyTooLargeError extends Error {
  constructor() {
    super(`a request body may be at most ${MAX_BODY_BYTES} bytes`);
    this.name = "BodyTooLargeError";
  }
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const notFound = (error: string): Reply => ({ status: 404, body: { error } });
