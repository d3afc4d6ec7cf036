import { open } from "node:fs/promises";
import { percentile, round2 } from "../../check-result.js";
import type { MirrorStats, RouteStats, UpstreamStats } from "../route.js";

/** One line of the site's access log (format `ma_<id>` of site-config.ts). */
export interface LogLine {
  /** When the request finished, epoch ms. */
  at: number;
  requestId: string;
  status: number;
  /** Every upstream tried, in order (a retry adds one), as `host:port`. */
  attempts: Array<{ addr: string; status: number | null; ms: number | null }>;
  requestMs: number;
}

/** Parses a line; undefined for a line that is not of the format (a torn last line, say). */
export function parseLine(line: string): LogLine | undefined {
  const [msec, requestId, status, addrs, statuses, times, requestTime, extra] = line.trim().split("|");
  if (extra !== undefined || requestTime === undefined || !requestId) return undefined;
  // Upstream fields are lists: ", " between attempts, " : " between upstream groups.
  const list = (field: string) => field.split(/, | : /);
  const statusList = list(statuses ?? "");
  const timeList = list(times ?? "");
  const attempts = list(addrs ?? "").map((addr, i) => {
    const ms = toNumber(timeList[i]);
    return { addr, status: toNumber(statusList[i]), ms: ms === null ? null : ms * 1000 };
  });
  const at = Number(msec) * 1000;
  if (!Number.isFinite(at) || !Number.isFinite(Number(status))) return undefined;
  return {
    at,
    requestId,
    status: Number(status),
    attempts: attempts.filter((a) => a.addr !== "-" && a.addr !== ""),
    requestMs: Number(requestTime) * 1000,
  };
}

function toNumber(text: string | undefined): number | null {
  if (text === undefined || text === "-" || text === "") return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** Reads the lines of a log that may hold the window: the file's last `maxBytes` (32 MB). */
export async function readLog(path: string, maxBytes = 32 * 1024 * 1024): Promise<LogLine[]> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const lines = buffer.toString("utf8").split("\n");
    if (start > 0) lines.shift(); // a partial first line
    return lines.map(parseLine).filter((l): l is LogLine => l !== undefined);
  } finally {
    await handle.close();
  }
}

function summarise(latencies: number[], requests: number, errors: number): UpstreamStats {
  latencies.sort((a, b) => a - b);
  const mean = latencies.length ? latencies.reduce((s, x) => s + x, 0) / latencies.length : null;
  return {
    requests,
    errors,
    p50_ms: latencies.length ? round2(percentile(latencies, 50)) : null,
    p95_ms: latencies.length ? round2(percentile(latencies, 95)) : null,
    p99_ms: latencies.length ? round2(percentile(latencies, 99)) : null,
    mean_ms: mean === null ? null : round2(mean),
  };
}

/**
 * The window's statistics from the access log (and the mirror's log): per upstream, every
 * attempt (a refused connection that nginx retried elsewhere is an error of the first upstream);
 * in total, what clients saw. Mirror answers are compared with the primary's by request id, on
 * the status code: nginx discards a mirror's body, so bodies are compared by the embedded router
 * only.
 */
export function statsFromLog(
  lines: readonly LogLine[],
  mirrorLines: readonly LogLine[],
  upstreams: Record<string, string>,
  window: { since: number; until: number },
): RouteStats {
  const nameOf = new Map(Object.entries(upstreams).map(([name, url]) => [hostOf(url), name]));
  const inWindow = (l: LogLine) => l.at >= window.since && l.at < window.until;
  const per = new Map<string, { latencies: number[]; requests: number; errors: number }>();
  for (const name of Object.keys(upstreams)) per.set(name, { latencies: [], requests: 0, errors: 0 });
  const total = { latencies: [] as number[], requests: 0, errors: 0 };
  const primary = new Map<string, number>();
  for (const line of lines) {
    if (!inWindow(line)) continue;
    total.requests++;
    total.latencies.push(line.requestMs);
    if (line.status >= 500) total.errors++;
    primary.set(line.requestId, line.status);
    for (const attempt of line.attempts) {
      const name = nameOf.get(attempt.addr);
      const bucket = name ? per.get(name) : undefined;
      if (!bucket) continue;
      bucket.requests++;
      if (attempt.status === null || attempt.status >= 500) bucket.errors++;
      if (attempt.ms !== null) bucket.latencies.push(attempt.ms);
    }
  }
  const mirror: MirrorStats = {
    compared: 0,
    mismatched: 0,
    mirror_errors: 0,
    mismatch_rate: null,
    samples: [],
  };
  for (const line of mirrorLines) {
    if (!inWindow(line) || line.attempts.length === 0) continue; // not mirrored (split_clients)
    const mirrorStatus = line.attempts.at(-1)?.status ?? null;
    const primaryStatus = primary.get(line.requestId);
    if (primaryStatus === undefined) continue;
    mirror.compared++;
    if (mirrorStatus === null || mirrorStatus >= 500) mirror.mirror_errors++;
    if (mirrorStatus !== primaryStatus) {
      mirror.mismatched++;
      if (mirror.samples.length < 5)
        mirror.samples.push({
          path: "",
          primary_status: primaryStatus,
          mirror_status: mirrorStatus ?? 0,
          reason: "status differs",
        });
    }
  }
  mirror.mismatch_rate = mirror.compared ? mirror.mismatched / mirror.compared : null;
  return {
    since: window.since,
    until: window.until,
    upstreams: Object.fromEntries(
      [...per].map(([name, b]) => [name, summarise(b.latencies, b.requests, b.errors)]),
    ),
    total: summarise(total.latencies, total.requests, total.errors),
    mirror,
  };
}

/** `http://localhost:9001` → `127.0.0.1:9001`, as nginx logs an upstream it resolved. */
function hostOf(url: string): string {
  const u = new URL(url);
  const host = u.hostname === "localhost" ? "127.0.0.1" : u.hostname;
  return `${host}:${u.port || "80"}`;
}
