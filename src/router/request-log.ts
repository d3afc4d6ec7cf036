/** How long records are kept, and how many at most per log (whichever limit comes first). */
export const RETENTION = { ms: 10 * 60_000, records: 200_000 } as const;

/** One finished request in a window: its status (0: no answer) and latency. */
export interface RequestRecord {
  status: number;
  latencyMs: number;
}

/**
 * The finished requests of one upstream (or of the clients), in the order they finished: a ring
 * buffer in typed arrays, so that 200k records cost a few MB and no garbage. Old records drop off
 * by age or count; a window is computed on demand.
 */
export class RequestLog {
  private at: Float64Array;
  private latency: Float64Array;
  private status: Uint16Array;
  /** Index of the oldest record, and how many there are. */
  private head = 0;
  private size = 0;

  constructor(private readonly retention: { ms: number; records: number } = RETENTION) {
    const length = Math.min(1024, retention.records);
    this.at = new Float64Array(length);
    this.latency = new Float64Array(length);
    this.status = new Uint16Array(length);
  }

  add(finishedAt: number, status: number, latencyMs: number): void {
    this.forget(finishedAt - this.retention.ms);
    if (this.size === this.at.length) {
      if (this.size < this.retention.records) this.grow();
      else {
        // Full: the oldest record gives way.
        this.head = (this.head + 1) % this.at.length;
        this.size--;
      }
    }
    const i = (this.head + this.size) % this.at.length;
    this.at[i] = finishedAt;
    this.latency[i] = latencyMs;
    this.status[i] = status;
    this.size++;
  }

  /** The records that finished in [since, until). */
  window(since: number, until: number): RequestRecord[] {
    const found: RequestRecord[] = [];
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) % this.at.length;
      const at = this.at[i] ?? 0;
      if (at >= since && at < until)
        found.push({ status: this.status[i] ?? 0, latencyMs: this.latency[i] ?? 0 });
    }
    return found;
  }

  private forget(before: number): void {
    while (this.size > 0 && (this.at[this.head] ?? 0) < before) {
      this.head = (this.head + 1) % this.at.length;
      this.size--;
    }
  }

  private grow(): void {
    const length = Math.min(this.at.length * 2, this.retention.records);
    const unroll = <A extends Float64Array | Uint16Array>(from: A, to: A): A => {
      for (let k = 0; k < this.size; k++) to[k] = from[(this.head + k) % from.length] ?? 0;
      return to;
    };
    this.at = unroll(this.at, new Float64Array(length));
    this.latency = unroll(this.latency, new Float64Array(length));
    this.status = unroll(this.status, new Uint16Array(length));
    this.head = 0;
  }
}
