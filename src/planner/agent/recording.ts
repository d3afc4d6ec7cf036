import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Where `MA_RECORD=1` writes transcripts, relative to the working directory. */
export const DEFAULT_RECORD_DIR = "test/fixtures/anthropic/recorded";

/**
 * A recorded planning session, in the format the fake Messages API server replays
 * (test/support/fake-anthropic.ts): each model call's request body and response body. Request
 * headers, and so the API key, are never part of it.
 */
export interface RecordedTranscript {
  model: string;
  prompt_version: string;
  /** The person's request. */
  request: string;
  turns: { request: unknown; response: unknown }[];
}

/**
 * Writes a transcript as it grows: the file is rewritten after every turn, so that a plan that
 * fails or is interrupted still leaves what happened up to then.
 */
export class TranscriptRecorder {
  readonly file: string;
  private readonly transcript: RecordedTranscript;

  constructor(dir: string, head: Omit<RecordedTranscript, "turns">, now = new Date()) {
    const slug =
      head.request
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")
        .slice(0, 48) || "plan";
    const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
    this.file = join(resolve(dir), `${stamp}-${slug}.json`);
    this.transcript = { ...head, turns: [] };
  }

  /** Records one model call. */
  turn(request: unknown, response: unknown): void {
    this.transcript.turns.push({ request, response });
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, `${JSON.stringify(this.transcript, null, 2)}\n`);
  }
}
