import { createHash, type Hash } from "node:crypto";

/** Bodies up to this size are kept whole (to retry, mirror, or compare as JSON). */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/** An answer's body as seen by the mirror comparison. */
export interface CapturedBody {
  /** The whole body, or null when it was larger than MAX_BUFFERED_BYTES. */
  bytes: Buffer | null;
  /** sha256 of the whole body: what larger bodies are compared by. */
  sha256: string;
}

/**
 * Keeps a copy of a body as it streams past, without holding more than 1 MB of it: beyond that,
 * only its digest is kept.
 */
export class BodyCapture {
  private readonly hash: Hash = createHash("sha256");
  private chunks: Buffer[] | null = [];
  private size = 0;

  add(chunk: Buffer): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    if (this.chunks === null) return;
    if (this.size > MAX_BUFFERED_BYTES) this.chunks = null;
    else this.chunks.push(chunk);
  }

  done(): CapturedBody {
    return { bytes: this.chunks && Buffer.concat(this.chunks), sha256: this.hash.digest("hex") };
  }
}
