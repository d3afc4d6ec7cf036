/**
 * The crash/resume soak (`npm run soak`): the harness of test/crash-resume.test.ts with more
 * trials — 200 unless `--trials N`. Prints the seed, one line per trial and the summary; exits 1
 * on any violation (a run that ends neither completed in the target state nor rolled back in the
 * source state, or a row lost).
 *
 *   npm run soak -- --trials 500 --concurrency 2
 *   npm run soak -- --seed 1234567 --trial 17     # replay one trial of a seed
 *   CRASH_SEED=1234567 npm run soak               # the same seed, every trial
 *   npm run soak -- --database-url postgres://postgres@127.0.0.1:5432/test   # on PostgreSQL
 */
import { parseArgs } from "node:util";
import { formatSummary, runCrashHarness, seedFromEnv } from "../test/support/crash-harness.js";

const { values } = parseArgs({
  options: {
    trials: { type: "string", default: "200" },
    seed: { type: "string" },
    concurrency: { type: "string", default: "2" },
    trial: { type: "string", multiple: true },
    keep: { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
    "database-url": { type: "string" },
  },
});

const positive = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} expects a whole number, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
};

const trials = positive("trials", values.trials);
const seed = values.seed !== undefined ? positive("seed", values.seed) : seedFromEnv();
const only = values.trial?.map((t) => positive("trial", t));

const summary = await runCrashHarness({
  trials: only ? Math.max(trials, ...only.map((t) => t + 1)) : trials,
  seed,
  postgresUrl: values["database-url"],
  concurrency: Math.max(1, positive("concurrency", values.concurrency)),
  only,
  keep: values.keep,
  log: values.quiet ? undefined : (line) => console.log(line),
});
console.log(formatSummary(summary));
process.exit(summary.violations.length || summary.rowsLost ? 1 : 0);
