import { UsageError } from "./usage-error.js";

/** Parses `--at`: an ISO 8601 date-time. */
export function parseAt(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) {
    throw new UsageError(
      `--at "${text}" is not a date-time; write it as ISO 8601, e.g. 2026-11-28T02:00:00Z`,
    );
  }
  return at;
}
