import type { IncomingMessage } from "node:http";

/**
 * Calls back once, as soon as an upstream's answer has been read to its end (no error) or was cut
 * (an error). Earlier than `stream.finished`, which waits for 'close': the figures are recorded
 * before the client can have read the last byte, so a caller that asks for the stats right after
 * its request sees that request counted.
 */
export function onAnswerEnd(response: IncomingMessage, callback: (error?: Error) => void): void {
  let called = false;
  const once = (error?: Error) => {
    if (called) return;
    called = true;
    callback(error);
  };
  response.once("end", () => once());
  response.once("error", (error) => once(error));
  response.once("close", () =>
    once(
      response.complete
        ? undefined
        : new Error("the upstream closed the connection before the end of its answer"),
    ),
  );
}
