/**
 * The contract of the embedded router: the traffic adapter drives it through these shapes (in
 * process or over the admin API), and the nginx router keeps the same semantics.
 */

/** Upstream name → integer weight ≥ 0; at least one > 0. Names left out get weight 0. */
export type Weights = Record<string, number>;

/** Shadow traffic: a share of the requests is also sent to `to`, and the two answers compared. */
export interface MirrorSpec {
  /** The upstream name the copies go to. */
  to: string;
  /** The share of requests copied, 1..100 (counter-based: exactly this many of every 100). */
  percent: number;
  /** Top-level JSON keys ignored when comparing bodies (a version, a timestamp, a request id). */
  ignore_fields?: string[];
  /** Headers are not compared; the embedded router compares status and body only. */
  ignore_headers?: true;
}

export interface RouterState {
  /** Upstream name → base URL (`http://127.0.0.1:9001`). */
  upstreams: Record<string, string>;
  /** Every upstream's weight, including the zeros. */
  weights: Weights;
  mirror: MirrorSpec | null;
  /** +1 per change, so that a writer can refuse to overwrite a change it has not seen. */
  generation: number;
}

/** A change of state: what is left out stays as it is. */
export interface StateChange {
  weights?: Weights;
  mirror?: MirrorSpec | null;
  /** When given, the change is refused (409) unless the state is still at this generation. */
  expect_generation?: number;
}

export interface EmbeddedRouterOptions {
  /** Where the traffic is served; default 127.0.0.1 and a free port. */
  listen?: { host?: string; port?: number };
  /** Where the admin API is served; default 127.0.0.1 and a free port. */
  admin?: { host?: string; port?: number };
  /** When set, admin requests need `Authorization: Bearer <token>`. */
  admin_token?: string;
  upstreams: Record<string, string>;
  weights: Weights;
  mirror?: MirrorSpec | null;
  /** How long an upstream may stay silent before the request fails with 504; default 30 s. */
  upstream_timeout_ms?: number;
}

export interface EmbeddedRouter {
  /** The traffic port's URL. */
  url: string;
  adminUrl: string;
  state(): RouterState;
  /** Applies a change atomically: the next request picks by the new weights. */
  setState(next: StateChange): RouterState;
  /** Figures of the requests that finished in [since, until) (epoch ms; until defaults to now). */
  stats(window: { since: number; until?: number }): RouterStats;
  /** Stops accepting, lets in-flight requests finish (up to 10 s), then closes everything. */
  close(): Promise<void>;
}

export interface UpstreamStats {
  requests: number;
  /** 5xx answers, connection failures, timeouts. */
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  mean_ms: number | null;
}

/** One mirrored request whose answers differed, or whose mirror failed. */
export interface MirrorSample {
  path: string;
  primary_status: number;
  /** 0 when the mirror gave no answer. */
  mirror_status: number;
  reason: string;
}

export interface MirrorStats {
  compared: number;
  mismatched: number;
  mirror_errors: number;
  /** mismatched / compared; null when nothing was compared. */
  mismatch_rate: number | null;
  /** At most 5. */
  samples: MirrorSample[];
}

export interface RouterStats {
  since: number;
  until: number;
  /** Every attempt on each upstream, including those that failed and were retried elsewhere. */
  upstreams: Record<string, UpstreamStats>;
  /** What the clients saw, after retries. */
  total: UpstreamStats;
  mirror: MirrorStats;
}
