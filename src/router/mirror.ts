import { onAnswerEnd } from "./answer-end.js";
import { BodyCapture } from "./body-capture.js";
import { type Answer, compareAnswers } from "./compare.js";
import type { MirrorLog, MirrorOutcome } from "./mirror-log.js";
import type { MirrorSpec } from "./types.js";
import type { OutgoingRequest, UpstreamPool } from "./upstream-pool.js";

/**
 * Mirrored copies waiting at once, at most: beyond it a copy is not sent (and counted as a mirror
 * error), so that a stalled mirror cannot pile up bodies in memory.
 */
export const MAX_MIRRORS_IN_FLIGHT = 256;

/** A mirrored request, waiting for the primary's answer (null when the primary gave none). */
export interface MirroredRequest {
  primary(answer: Answer | null): void;
}

/**
 * Shadow traffic: copies a share of the requests to `mirror.to`, in parallel with the primary so
 * that the client never waits for the copy, and compares the two answers when both are in.
 * The share is counter-based (exactly `percent` of every 100 requests), restarting when the mirror
 * changes; the clients always get the primary's answer.
 */
export class Mirror {
  private counted: MirrorSpec | null = null;
  private counter = 0;
  private inFlight = 0;

  constructor(
    private readonly deps: {
      spec(): MirrorSpec | null;
      pool: UpstreamPool;
      log: MirrorLog;
      /** Keeps the router's close() waiting for this work. */
      track(work: Promise<unknown>): void;
    },
  ) {}

  /** Sends a copy of this request when it is its turn; null when it is not mirrored. */
  start(request: OutgoingRequest): MirroredRequest | null {
    const spec = this.deps.spec();
    if (spec === null || !this.due(spec)) return null;
    const path = request.path.split("?")[0] ?? "/";
    let settle: (answer: Answer | null) => void = () => {};
    const primary = new Promise<Answer | null>((resolve) => {
      settle = resolve;
    });
    const mirror: Promise<Answer | { error: string }> =
      this.inFlight >= MAX_MIRRORS_IN_FLIGHT
        ? Promise.resolve({
            error: `not sent: ${MAX_MIRRORS_IN_FLIGHT} mirrored requests were already waiting`,
          })
        : this.send(spec.to, request);
    const work = Promise.all([primary, mirror]).then(([p, m]) => {
      // A comparison needs the primary's answer; without one there is nothing to compare.
      if (p !== null) this.deps.log.add(Date.now(), outcome(path, p, m, spec.ignore_fields));
    });
    this.deps.track(work);
    let done = false;
    return {
      primary: (answer) => {
        if (done) return;
        done = true;
        settle(answer);
      },
    };
  }

  private due(spec: MirrorSpec): boolean {
    if (spec !== this.counted) {
      this.counted = spec;
      this.counter = 0;
    }
    const n = this.counter++;
    return Math.floor(((n + 1) * spec.percent) / 100) > Math.floor((n * spec.percent) / 100);
  }

  private async send(to: string, request: OutgoingRequest): Promise<Answer | { error: string }> {
    this.inFlight++;
    try {
      const result = await this.deps.pool.send(to, request, { purpose: "mirror" });
      if (result.kind === "failed") return { error: `mirror request to ${to} failed: ${result.reason}` };
      const { response, touch } = result;
      const capture = new BodyCapture();
      response.on("data", (chunk: Buffer) => {
        touch();
        capture.add(chunk);
      });
      return await new Promise((resolve) =>
        onAnswerEnd(response, (error) =>
          resolve(
            error
              ? { error: `mirror answer from ${to} was cut: ${error.message}` }
              : { status: response.statusCode ?? 0, body: capture.done() },
          ),
        ),
      );
    } finally {
      this.inFlight--;
    }
  }
}

function outcome(
  path: string,
  primary: Answer,
  mirror: Answer | { error: string },
  ignoreFields: readonly string[] | undefined,
): MirrorOutcome {
  if ("error" in mirror)
    return {
      kind: "error",
      sample: { path, primary_status: primary.status, mirror_status: 0, reason: mirror.error },
    };
  const comparison = compareAnswers(primary, mirror, ignoreFields);
  if (comparison.same) return { kind: "match" };
  return {
    kind: "mismatch",
    sample: { path, primary_status: primary.status, mirror_status: mirror.status, reason: comparison.reason },
  };
}
