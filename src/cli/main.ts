#!/usr/bin/env node
import { createInterface } from "node:readline/promises";
import { runCli } from "./run.js";

const ask = async (question: string): Promise<boolean> => {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
};

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  terminal: process.stdout.isTTY ? { write: (text) => process.stdout.write(text) } : undefined,
  confirm: process.stdin.isTTY ? ask : undefined,
});
