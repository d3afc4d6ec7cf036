import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import { finished } from "node:stream";

/** Sockets per upstream and purpose: enough for a demo's load, few enough not to exhaust a server. */
const MAX_SOCKETS = 64;

/** Failures where the upstream cannot have begun to answer: the request may go to another one. */
const RETRYABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** A request body: whole (≤ 1 MB, so it can be sent twice), or a first part then the rest streamed. */
export type RequestBody =
  | { kind: "buffered"; bytes: Buffer }
  | { kind: "streamed"; prefix: Buffer[]; rest: Readable };

export interface OutgoingRequest {
  method: string;
  /** Path and query, starting with `/`. */
  path: string;
  headers: OutgoingHttpHeaders;
  body: RequestBody;
}

/** How sending went: an answer (its body still to read), or a failure before any answer. */
export type SendResult =
  | {
      kind: "answer";
      response: IncomingMessage;
      /** Tells the idle timer the answer is still moving: call it on each chunk read. */
      touch(): void;
    }
  | { kind: "failed"; timedOut: boolean; retryable: boolean; aborted: boolean; reason: string };

/**
 * The upstreams' connections: one keep-alive agent per upstream for the clients' traffic and
 * another for mirrored copies, so that a slow mirror never holds a socket a client waits for.
 */
export class UpstreamPool {
  private readonly agents = new Map<string, HttpAgent>();

  constructor(
    private readonly upstreams: Record<string, string>,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Sends a request to an upstream. The timeout counts silence: from sending to the answer's
   * head, then between chunks of its body (nginx's proxy_read_timeout); past it, a request
   * without an answer fails (504), and an answer in the middle of its body is cut.
   */
  send(
    name: string,
    request: OutgoingRequest,
    options: { purpose: "primary" | "mirror"; signal?: AbortSignal },
  ): Promise<SendResult> {
    const base = new URL(this.upstreams[name] ?? "");
    const https = base.protocol === "https:";
    const send = https ? httpsRequest : httpRequest;
    const prefix = base.pathname === "/" ? "" : base.pathname;
    return new Promise((resolve) => {
      let answered = false;
      let timedOut = false;
      const outgoing = send({
        protocol: base.protocol,
        hostname: base.hostname.replace(/^\[|\]$/g, ""),
        port: base.port || (https ? 443 : 80),
        method: request.method,
        path: `${prefix}${request.path}`,
        headers: { ...request.headers, host: base.host },
        agent: this.agent(name, options.purpose, https),
        signal: options.signal,
      });
      const timer = setTimeout(() => {
        timedOut = true;
        outgoing.destroy(new Error(`no answer from upstream ${name} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      outgoing.on("response", (response) => {
        answered = true;
        timer.refresh();
        finished(response, () => clearTimeout(timer));
        resolve({ kind: "answer", response, touch: () => timer.refresh() });
      });
      outgoing.on("error", (error: NodeJS.ErrnoException) => {
        // After the answer began, the answer's own stream reports the failure to its reader.
        if (answered) return;
        clearTimeout(timer);
        const aborted = error.name === "AbortError";
        resolve({
          kind: "failed",
          timedOut,
          aborted,
          retryable: !timedOut && !aborted && RETRYABLE.has(error.code ?? ""),
          reason: timedOut ? `timed out after ${this.timeoutMs} ms` : (error.code ?? error.message),
        });
      });
      const { body } = request;
      if (body.kind === "buffered") {
        outgoing.end(body.bytes);
        return;
      }
      for (const chunk of body.prefix) outgoing.write(chunk);
      body.rest.on("error", (error) => outgoing.destroy(error));
      body.rest.pipe(outgoing);
    });
  }

  /** Closes every socket, in use or idle. */
  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private agent(name: string, purpose: string, https: boolean): HttpAgent {
    const key = `${purpose}:${name}`;
    let agent = this.agents.get(key);
    if (agent === undefined) {
      const options = { keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: 16 };
      agent = https ? new HttpsAgent(options) : new HttpAgent(options);
      this.agents.set(key, agent);
    }
    return agent;
  }
}
