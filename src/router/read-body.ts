import type { IncomingMessage } from "node:http";
import { MAX_BUFFERED_BYTES } from "./body-capture.js";
import type { RequestBody } from "./upstream-pool.js";

/**
 * Reads a client's request body, keeping it whole when it is at most 1 MB (so that it can be
 * retried on another upstream and mirrored); a larger body is streamed on: what was read so far,
 * then the rest, still paused. Rejects when the client goes away before the end of its body.
 */
export function readBody(req: IncomingMessage): Promise<RequestBody> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > MAX_BUFFERED_BYTES)
    return Promise.resolve({ kind: "streamed", prefix: [], rest: req });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onFail);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= MAX_BUFFERED_BYTES) return;
      stop();
      req.pause();
      resolve({ kind: "streamed", prefix: chunks, rest: req });
    };
    const onEnd = () => {
      stop();
      resolve({ kind: "buffered", bytes: Buffer.concat(chunks) });
    };
    const onFail = (error: Error) => {
      stop();
      reject(error);
    };
    const onClose = () => {
      if (req.complete) return;
      stop();
      reject(new Error("the client closed the connection before sending its whole request"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onFail);
    req.on("close", onClose);
  });
}
