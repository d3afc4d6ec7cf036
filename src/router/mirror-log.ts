import { RETENTION } from "./request-log.js";
import type { MirrorSample, MirrorStats } from "./types.js";

/** How a mirrored request ended: the answers matched, differed, or the mirror gave none. */
export type MirrorOutcome = { kind: "match" } | { kind: "mismatch" | "error"; sample: MirrorSample };

/** Samples shown per window: enough to see what differs, few enough to read. */
const MAX_SAMPLES = 5;

/**
 * The comparisons of mirrored requests, by the time each finished; kept like the request logs
 * (10 minutes or 200k records).
 */
export class MirrorLog {
  private readonly records: Array<{ at: number; outcome: MirrorOutcome }> = [];
  /** Index of the oldest record in `records`; the array is compacted once half of it is stale. */
  private head = 0;

  constructor(private readonly retention: { ms: number; records: number } = RETENTION) {}

  add(finishedAt: number, outcome: MirrorOutcome): void {
    this.records.push({ at: finishedAt, outcome });
    const before = finishedAt - this.retention.ms;
    while (
      this.head < this.records.length &&
      (this.records.length - this.head > this.retention.records ||
        (this.records[this.head]?.at ?? 0) < before)
    )
      this.head++;
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The comparisons that finished in [since, until), with the first few samples. */
  window(since: number, until: number): MirrorStats {
    let compared = 0;
    let mismatched = 0;
    let mirrorErrors = 0;
    const samples: MirrorSample[] = [];
    for (let i = this.head; i < this.records.length; i++) {
      const record = this.records[i];
      if (record === undefined || record.at < since || record.at >= until) continue;
      const { outcome } = record;
      if (outcome.kind === "error") mirrorErrors++;
      else compared++;
      if (outcome.kind === "mismatch") mismatched++;
      if (outcome.kind !== "match" && samples.length < MAX_SAMPLES) samples.push({ ...outcome.sample });
    }
    return {
      compared,
      mismatched,
      mirror_errors: mirrorErrors,
      mismatch_rate: compared === 0 ? null : mismatched / compared,
      samples,
    };
  }
}
