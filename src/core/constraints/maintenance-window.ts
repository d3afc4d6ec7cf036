import type { MaintenanceWindow } from "../blueprint/schema.js";
import { TIME_OF_DAY_PATTERN } from "../blueprint/schema.js";

const DAY_MINUTES = 24 * 60;
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

/** A window in minutes of the local day, with the problems found in it. */
export interface ParsedWindow {
  startMin: number;
  endMin: number;
  /** Length in minutes; a window whose end is before its start crosses midnight. */
  lengthMin: number;
  timezone: string;
  days: ReadonlySet<string> | undefined;
}

/** Parses a window, or returns the reason it is not valid. */
export function parseWindow(
  window: MaintenanceWindow,
): { window: ParsedWindow } | { problem: string; field: string } {
  for (const field of ["start", "end"] as const) {
    if (!TIME_OF_DAY_PATTERN.test(window[field])) {
      return { problem: `${field} "${window[field]}" is not a 24-hour time "HH:MM"`, field };
    }
  }
  if (!isTimezone(window.timezone)) {
    return { problem: `timezone "${window.timezone}" is not an IANA timezone`, field: "timezone" };
  }
  const startMin = minutes(window.start);
  const endMin = minutes(window.end);
  if (startMin === endMin) return { problem: "start and end are equal: the window is empty", field: "end" };
  const lengthMin = endMin > startMin ? endMin - startMin : DAY_MINUTES - startMin + endMin;
  return {
    window: {
      startMin,
      endMin,
      lengthMin,
      timezone: window.timezone,
      days: window.days ? new Set(window.days) : undefined,
    },
  };
}

/**
 * How many ms of the window remain after `instant`, or 0 when `instant` is outside the window.
 * Wall-clock times are read in the window's timezone; for a window that crosses midnight, the day
 * that counts against `days` is the day it opened.
 */
export function remainingInWindowMs(window: ParsedWindow, instant: Date): number {
  const { weekday, minuteOfDay } = localTime(instant, window.timezone);
  const { startMin, endMin } = window;
  let remaining = 0;
  let openedOn = weekday;
  if (startMin < endMin) {
    if (minuteOfDay >= startMin && minuteOfDay < endMin) remaining = endMin - minuteOfDay;
  } else if (minuteOfDay >= startMin) {
    remaining = DAY_MINUTES - minuteOfDay + endMin;
  } else if (minuteOfDay < endMin) {
    remaining = endMin - minuteOfDay;
    openedOn = (weekday + 6) % 7;
  }
  if (remaining === 0) return 0;
  if (window.days && !window.days.has(WEEKDAYS[openedOn] as string)) return 0;
  // Seconds within the current minute are already spent.
  return remaining * 60_000 - (instant.getUTCSeconds() * 1_000 + instant.getUTCMilliseconds());
}

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function isTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(instant: Date, timezone: string): { weekday: number; minuteOfDay: number } {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  const weekday = WEEKDAYS.indexOf(
    (parts.weekday ?? "").toLowerCase().slice(0, 3) as (typeof WEEKDAYS)[number],
  );
  return { weekday, minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute) };
}
