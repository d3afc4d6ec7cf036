import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { answer, BodyTooLargeError, bodyReader, type Faults, type SampleState } from "./routes.js";

export interface SampleServiceOptions {
  /** The version name, e.g. "v1": in every body and in the `x-served-by` header. */
  name: string;
  /** The address to listen on (127.0.0.1). */
  host?: string;
  /** The port (0, the default, lets the system choose a free one). */
  port?: number;
  /** The share of order requests answered with a 500, 0..1. */
  error_rate?: number;
  /** A delay added before every order request is answered. */
  latency_ms?: number;
}

/** A running sample service. */
export interface SampleService {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  name: string;
  /** Changes the faults from the next request on (a release that turns bad while it runs). */
  setFaults(faults: { error_rate?: number; latency_ms?: number }): void;
  /** How many requests it has received. */
  requests(): number;
  /** Stops accepting connections, lets the requests in flight finish, then closes every socket. */
  close(): Promise<void>;
}

/**
 * Starts the project's sample HTTP service: two of them, with different names and faults, are
 * "two versions of a small service" for the tests, the evals, the demo and the benchmarks. Plain
 * node:http, keep-alive on, JSON bodies: `GET /healthz`, `GET /version`, `GET /orders/:id`, and
 * `GET|PUT|DELETE /admin/flags[/:name]` for steps that call an admin endpoint.
 *
 * @example
 * const v2 = await startSampleService({ name: "v2", error_rate: 0.1 });
 * await fetch(`${v2.url}/orders/7`); // 200 {"id":7,…,"version":"v2"}, or 500 one time in ten
 * await v2.close();
 */
export async function startSampleService(options: SampleServiceOptions): Promise<SampleService> {
  const name = options.name?.trim();
  if (!name) throw new Error("a sample service needs a name: its version, such as v1");
  const host = options.host ?? "127.0.0.1";
  const state: SampleState = {
    name,
    faults: checkFaults({ error_rate: options.error_rate ?? 0, latency_ms: options.latency_ms ?? 0 }),
    flags: new Map(),
    random: Math.random,
  };
  let received = 0;
  let closing = false;

  // Requests in flight per socket: what close() must wait for. A socket with none (idle after a
  // request, or opened by a client and not used yet) is closed at once.
  const inFlight = new Map<Socket, number>();
  const server = createServer({ keepAlive: true }, (request, response) => {
    received++;
    const socket = request.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    response.once("close", () => {
      const left = (inFlight.get(socket) ?? 1) - 1;
      inFlight.set(socket, left);
      if (closing && left === 0) socket.destroySoon();
    });
    void serve(request, response, state, () => closing);
  });
  server.on("connection", (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.once("close", () => inFlight.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "the address is in use; choose another port" : error.message;
      reject(new Error(`the sample service ${name} cannot listen on ${host}:${options.port ?? 0}: ${why}`));
    });
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    name,
    setFaults(faults) {
      state.faults = checkFaults({ ...state.faults, ...faults });
    },
    requests: () => received,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        closing = true;
        // close() stops accepting; requests in flight answer with `connection: close` (below) and
        // their sockets end with them; idle sockets are closed now.
        server.close((error) => (error ? reject(error) : resolve()));
        for (const [socket, requests] of inFlight) if (requests === 0) socket.destroy();
      });
      return closed;
    },
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  state: SampleState,
  closing: () => boolean,
): Promise<void> {
  const send = (status: number, body: unknown) => {
    response.setHeader("x-served-by", state.name);
    response.setHeader("content-type", "application/json");
    if (closing()) response.setHeader("connection", "close");
    response.writeHead(status).end(JSON.stringify(body));
  };
  try {
    const path = new URL(request.url ?? "/", "http://sample").pathname;
    const reply = await answer(request.method ?? "GET", path, bodyReader(request), state);
    send(reply.status, reply.body);
  } catch (error) {
    if (error instanceof BodyTooLargeError) send(413, { error: error.message });
    else if (error instanceof URIError) send(404, { error: "the path is not valid percent-encoding" });
    else send(500, { error: `the sample service failed: ${(error as Error).message}` });
  }
}

function checkFaults(faults: Faults): Faults {
  if (!(faults.error_rate >= 0 && faults.error_rate <= 1)) {
    throw new RangeError(`error_rate must be between 0 and 1, not ${faults.error_rate}`);
  }
  if (!(faults.latency_ms >= 0 && Number.isFinite(faults.latency_ms))) {
    throw new RangeError(`latency_ms must be a number of milliseconds ≥ 0, not ${faults.latency_ms}`);
  }
  return faults;
}
