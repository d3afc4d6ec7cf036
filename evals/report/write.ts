import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { redactSecrets, redactText } from "../../src/adapters/redact.js";
import type { SuiteReport } from "../run-suite.js";
import { htmlReport } from "./html.js";
import { markdownReport } from "./markdown.js";

/** Writes report.json, report.md and report.html into `dir` (made if missing); returns their paths. */
export async function writeReports(report: SuiteReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    // Redacted value by value: redacting the JSON text could swallow a closing quote.
    ["report.json", `${JSON.stringify(redactSecrets(report), null, 2)}\n`],
    ["report.md", markdownReport(report)],
    ["report.html", htmlReport(report)],
  ];
  // A password in an error (a --database-url) never reaches a report.
  for (const [name, text] of files)
    await writeFile(join(dir, name), name.endsWith(".json") ? text : redactText(text), "utf8");
  return files.map(([name]) => join(dir, name));
}
