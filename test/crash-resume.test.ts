/**
 * Issue 3's reliability requirement (DESIGN.md §6): a multi-phase run killed with SIGKILL at a
 * random instant, then resumed, ends completed (target state) or rolled back (source state, equal
 * checksums) — never in between, with no row lost. 30 trials on PGlite, and 30 more with the
 * target database and the run state on PostgreSQL when TEST_DATABASE_URL is set (CRASH_TRIALS to
 * change it); `npm run soak` runs 200. The seed is printed; CRASH_SEED=<seed> replays the trials.
 */
import { describe, expect, it } from "vitest";
import { formatSummary, runCrashHarness, seedFromEnv } from "./support/crash-harness.js";

const TRIALS = Number(process.env.CRASH_TRIALS ?? 30);
const url = process.env.TEST_DATABASE_URL;
if (!url) console.log("crash/resume trials on PostgreSQL skipped: TEST_DATABASE_URL is not set");

const backends = [
  { name: "PGlite", postgresUrl: undefined },
  { name: "PostgreSQL", postgresUrl: url },
] as const;

describe.each(backends)("crash and resume, $name", ({ name, postgresUrl }) => {
  it.skipIf(name === "PostgreSQL" && !postgresUrl)(
    `${TRIALS} runs killed at random instants all end completed or rolled back, with no row lost`,
    async () => {
      const seed = seedFromEnv();
      const summary = await runCrashHarness({
        trials: TRIALS,
        seed,
        postgresUrl,
        concurrency: Number(process.env.CRASH_CONCURRENCY ?? 2),
        log: process.env.CRASH_VERBOSE ? (line) => console.log(line) : undefined,
      });
      console.log(formatSummary(summary));
      expect(summary.violations, formatSummary(summary)).toEqual([]);
      expect(summary.rowsLost).toBe(0);
      expect(summary.trials).toBe(TRIALS);
      // Half the kills aim at the run's active part: some must have landed in it.
      if (TRIALS >= 10) expect(summary.landed.during).toBeGreaterThan(0);
    },
    30 * 60_000,
  );
});
