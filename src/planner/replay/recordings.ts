import { readdir, readFile } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { DEFAULT_RECORD_DIR, type RecordedTranscript } from "../agent/recording.js";

/** A recording found on disk: where it is, and what it holds. */
export interface FoundRecording {
  /** The file's absolute path. */
  file: string;
  /** The file's path as the person gave the directory (for messages). */
  shown: string;
  recording: RecordedTranscript;
}

/** How a recording is made, for messages that ask for one. */
export function howToRecord(request: string): string {
  return (
    `record one with a key: MA_RECORD=1 ANTHROPIC_API_KEY=… migration-architect plan ${JSON.stringify(request)} ` +
    `--target … --planner anthropic (or run the eval with MA_RECORD=1 and --planner anthropic); ` +
    `recordings go to ./${DEFAULT_RECORD_DIR}`
  );
}

/** No recording of this request in the directory: what is there, and how to make one. */
export class RecordingNotFoundError extends Error {
  constructor(dir: string, request: string, recorded: string[], unreadable: string[]) {
    const there = recorded.length
      ? `its ${recorded.length} recording(s) are of: ${recorded
          .slice(0, 5)
          .map((r) => JSON.stringify(r))
          .join(", ")}${recorded.length > 5 ? ", …" : ""}`
      : "it holds no recording";
    const skipped = unreadable.length ? `; not JSON, skipped: ${unreadable.slice(0, 5).join(", ")}` : "";
    super(
      `no recording in ${dir} of the request ${JSON.stringify(request.trim())} (${there}${skipped}); ${howToRecord(request.trim())}`,
    );
    this.name = "RecordingNotFoundError";
  }
}

/**
 * The recording of `request` in `root` (every `*.json` below it, at any depth): the one whose
 * `request` equals it, both trimmed. Of several, the newest: recordings are named
 * `<UTC stamp>-<slug>.json`, so the last file name in sort order. JSON files that are not
 * recordings (the scripted fixtures, say) are passed over.
 *
 * @example const found = await findRecording(resolve(dir), "rename users.email to email_address", dir);
 */
export async function findRecording(
  root: string,
  request: string,
  shownDir: string,
): Promise<FoundRecording> {
  const wanted = request.trim();
  const names = (await readdir(root, { recursive: true })).filter((name) => name.endsWith(".json")).sort();
  const matches: FoundRecording[] = [];
  const recorded: string[] = [];
  const unreadable: string[] = [];
  for (const name of names) {
    const file = join(root, name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, "utf8"));
    } catch {
      unreadable.push(name);
      continue;
    }
    if (!isRecording(parsed)) continue;
    recorded.push(parsed.request);
    if (parsed.request.trim() === wanted) {
      matches.push({ file, shown: join(shownDir, relative(root, file)), recording: parsed });
    }
  }
  const newest = matches.sort((a, b) => order(a.file, b.file)).at(-1);
  if (!newest) throw new RecordingNotFoundError(shownDir, request, recorded, unreadable);
  return newest;
}

/** By file name (the stamp), then by path. */
function order(a: string, b: string): number {
  return compare(basename(a), basename(b)) || compare(a, b);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isRecording(value: unknown): value is RecordedTranscript {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.request === "string" &&
    typeof v.model === "string" &&
    Array.isArray(v.turns) &&
    v.turns.every((t) => typeof t === "object" && t !== null && "request" in t && "response" in t)
  );
}
