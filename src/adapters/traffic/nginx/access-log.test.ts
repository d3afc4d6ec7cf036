import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type LogLine, parseLine, readLog, statsFromLog } from "./access-log.js";

/**
 * Lines as the site's `ma_<id>` format writes them:
 * `$msec|$request_id|$status|$upstream_addr|$upstream_status|$upstream_response_time|$request_time`.
 * Times end in .125/.25/.5 so that seconds × 1000 is exact.
 */
const V1 = "127.0.0.1:9001";
const V2 = "127.0.0.1:9002";
const upstreams = { v1: "http://127.0.0.1:9001", v2: "http://localhost:9002" };

const line = (
  at: string,
  id: string,
  status: number,
  addr: string,
  upstreamStatus: string,
  times: string,
  total: string,
) => `${at}|${id}|${status}|${addr}|${upstreamStatus}|${times}|${total}`;

describe("parseLine", () => {
  it("reads a proxied request: when, its id, the status, the upstream and both times in ms", () => {
    expect(parseLine(line("1700000000.125", "r1", 200, V1, "200", "0.004", "0.005"))).toEqual({
      at: 1_700_000_000_125,
      requestId: "r1",
      status: 200,
      attempts: [{ addr: V1, status: 200, ms: 4 }],
      requestMs: 5,
    });
  });

  it("reads every attempt of a retried request, in order", () => {
    const parsed = parseLine(
      line("1700000000.5", "r2", 200, `${V2}, ${V1}`, "502, 200", "0.000, 0.003", "0.004"),
    );
    expect(parsed?.status).toBe(200);
    expect(parsed?.attempts).toEqual([
      { addr: V2, status: 502, ms: 0 },
      { addr: V1, status: 200, ms: 3 },
    ]);
  });

  it("reads attempts across upstream groups (' : ') and attempts without a status or a time", () => {
    const parsed = parseLine(
      line("1700000000.25", "r3", 504, `${V1} : ${V2}`, "- : 504", "- : 1.000", "1.002"),
    );
    expect(parsed?.attempts).toEqual([
      { addr: V1, status: null, ms: null },
      { addr: V2, status: 504, ms: 1000 },
    ]);
  });

  it("keeps a request no upstream answered (nginx's own answer) with no attempts", () => {
    expect(parseLine(line("1700000000.25", "r4", 204, "-", "-", "-", "0.000"))).toMatchObject({
      status: 204,
      attempts: [],
      requestMs: 0,
    });
  });

  it("ignores lines not of the format: torn, empty, extra fields, no id, no numbers", () => {
    expect(parseLine("1700000000.125|r1|20")).toBeUndefined();
    expect(parseLine("")).toBeUndefined();
    expect(
      parseLine(`${line("1700000000.125", "r1", 200, V1, "200", "0.004", "0.005")}|extra`),
    ).toBeUndefined();
    expect(parseLine(line("1700000000.125", "", 200, V1, "200", "0.004", "0.005"))).toBeUndefined();
    expect(parseLine(line("yesterday", "r1", 200, V1, "200", "0.004", "0.005"))).toBeUndefined();
    expect(parseLine("1700000000.125|r1|-|-|-|-|0.001")).toBeUndefined();
  });

  it("tolerates the line's trailing newline or carriage return", () => {
    expect(
      parseLine(`${line("1700000000.125", "r1", 200, V1, "200", "0.004", "0.005")}\r\n`)?.requestMs,
    ).toBe(5);
  });
});

describe("statsFromLog", () => {
  const at = (s: number) => `1700000000.${String(s).padStart(3, "0")}`; // s: ms within the second, 0..999
  const window = { since: 1_700_000_000_000, until: 1_700_000_000_500 };
  const parse = (texts: string[]) => texts.map((t) => parseLine(t) as LogLine);

  it("counts each upstream's attempts, errors and latency, and in total what clients saw", () => {
    const lines = parse([
      line(at(0), "a", 200, V1, "200", "0.010", "0.011"),
      line(at(125), "b", 200, V1, "200", "0.020", "0.021"),
      line(at(250), "c", 500, V2, "500", "0.030", "0.031"),
      // v2 refused the connection; nginx retried on v1: an error of v2's, not of the client's
      line(at(375), "d", 200, `${V2}, ${V1}`, "502, 200", "0.000, 0.040", "0.041"),
    ]);
    const stats = statsFromLog(lines, [], upstreams, window);
    expect(stats.since).toBe(window.since);
    expect(stats.until).toBe(window.until);
    expect(stats.upstreams.v1).toEqual({
      requests: 3,
      errors: 0,
      p50_ms: 20,
      p95_ms: 40,
      p99_ms: 40,
      mean_ms: round((10 + 20 + 40) / 3),
    });
    expect(stats.upstreams.v2).toMatchObject({ requests: 2, errors: 2, p50_ms: 0, p99_ms: 30 });
    expect(stats.total).toMatchObject({ requests: 4, errors: 1, p50_ms: 21, p99_ms: 41 });
  });

  it("maps an upstream written as localhost to the 127.0.0.1 nginx logs", () => {
    const stats = statsFromLog(
      parse([line(at(0), "a", 200, V2, "200", "0.001", "0.001")]),
      [],
      upstreams,
      window,
    );
    expect(stats.upstreams.v2?.requests).toBe(1);
  });

  it("counts an attempt without a status (no answer) as an error, and skips unknown addresses", () => {
    const stats = statsFromLog(
      parse([
        line(at(0), "a", 502, V1, "-", "-", "0.001"),
        line(at(1), "b", 200, "10.0.0.9:80", "200", "0.001", "0.001"),
      ]),
      [],
      upstreams,
      window,
    );
    expect(stats.upstreams.v1).toMatchObject({ requests: 1, errors: 1, p99_ms: null });
    expect(stats.upstreams.v2).toEqual({
      requests: 0,
      errors: 0,
      p50_ms: null,
      p95_ms: null,
      p99_ms: null,
      mean_ms: null,
    });
    expect(stats.total).toMatchObject({ requests: 2, errors: 1 });
  });

  it("keeps the half-open window [since, until)", () => {
    const lines = parse([
      line("1699999999.875", "before", 200, V1, "200", "0.001", "0.001"),
      line(at(0), "first", 200, V1, "200", "0.001", "0.001"),
      line(at(499), "last", 200, V1, "200", "0.001", "0.001"),
      line(at(500), "after", 200, V1, "200", "0.001", "0.001"),
    ]);
    expect(statsFromLog(lines, [], upstreams, window).total.requests).toBe(2);
  });

  it("compares mirrored answers with the primary's by request id, on the status", () => {
    const lines = parse(
      ["a", "b", "c", "d"].map((id, i) => line(at(i * 10), id, 200, V1, "200", "0.001", "0.002")),
    );
    const mirrorLines = parse([
      line(at(5), "a", 200, V2, "200", "0.001", "0.001"),
      line(at(15), "b", 200, V2, "500", "0.001", "0.001"),
      line(at(25), "c", 200, V2, "404", "0.001", "0.001"),
      // not sampled by split_clients: answered 204 by nginx, no upstream
      line(at(35), "d", 204, "-", "-", "-", "0.000"),
      // its primary is not in the log: not compared
      line(at(45), "zz", 200, V2, "200", "0.001", "0.001"),
      // out of the window
      line(at(600), "a", 200, V2, "500", "0.001", "0.001"),
    ]);
    const stats = statsFromLog(lines, mirrorLines, upstreams, window);
    expect(stats.mirror).toEqual({
      compared: 3,
      mismatched: 2,
      mirror_errors: 1,
      mismatch_rate: 2 / 3,
      samples: [
        { path: "", primary_status: 200, mirror_status: 500, reason: "status differs" },
        { path: "", primary_status: 200, mirror_status: 404, reason: "status differs" },
      ],
    });
    // the mirror's copies are not counted as the route's requests
    expect(stats.upstreams.v2?.requests).toBe(0);
  });

  it("keeps at most 5 samples, and no rate when nothing was compared", () => {
    const ids = Array.from({ length: 8 }, (_, i) => `m${i}`);
    const lines = parse(ids.map((id, i) => line(at(i), id, 200, V1, "200", "0.001", "0.001")));
    const mirrorLines = parse(ids.map((id, i) => line(at(i + 1), id, 200, V2, "503", "0.001", "0.001")));
    const stats = statsFromLog(lines, mirrorLines, upstreams, window);
    expect(stats.mirror).toMatchObject({ compared: 8, mismatched: 8, mirror_errors: 8, mismatch_rate: 1 });
    expect(stats.mirror.samples).toHaveLength(5);
    expect(statsFromLog(lines, [], upstreams, window).mirror).toEqual({
      compared: 0,
      mismatched: 0,
      mirror_errors: 0,
      mismatch_rate: null,
      samples: [],
    });
  });
});

describe("readLog", () => {
  it("reads the lines of the format, skips the rest, and a missing log is empty", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ma-log-"));
    try {
      const path = join(dir, "access.log");
      await writeFile(
        path,
        [
          line("1700000000.125", "a", 200, V1, "200", "0.001", "0.001"),
          "garbage",
          line("1700000000.25", "b", 200, V2, "200", "0.001", "0.001"),
          "1700000000.5|c|2", // torn: nginx is writing it
        ].join("\n"),
      );
      expect((await readLog(path)).map((l) => l.requestId)).toEqual(["a", "b"]);
      expect(await readLog(join(dir, "none.log"))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reads only the last bytes of a large log, dropping the partial first line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ma-log-"));
    try {
      const path = join(dir, "access.log");
      const all = ["a", "b", "c"].map((id) => line("1700000000.125", id, 200, V1, "200", "0.001", "0.001"));
      await writeFile(path, `${all.join("\n")}\n`);
      const lastTwo = Buffer.byteLength(`${all[1]}\n${all[2]}\n`);
      // a few bytes more than the last two lines: the cut lands inside line "a"
      expect((await readLog(path, lastTwo + 5)).map((l) => l.requestId)).toEqual(["b", "c"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
