// Time windows of Flow-trigger preconditions and MultipleConditions (Kestra's timeWindow): which
// window an instant belongs to and whether matches count at all then. Daily spans and midnights
// are read in the trigger's time zone (our `timezone` extension; Kestra uses the server's zone),
// so "09:00–10:00 Europe/Paris" stays 09:00–10:00 local across a DST change. Pure.
import { parseDurationMs } from "../tasks/duration";
import { localMidnight, zoned } from "./zoned";

const DAY_MS = 86_400_000;

export type WindowType = "DURATION_WINDOW" | "SLIDING_WINDOW" | "DAILY_TIME_DEADLINE" | "DAILY_TIME_WINDOW";

export interface TimeWindow {
  type?: WindowType;
  window?: string;
  windowAdvance?: string;
  startTime?: string;
  endTime?: string;
  deadline?: string;
}

/** Which entries of a window group were met, and when (epoch ms). */
export interface WindowProgress {
  windowStart: number;
  matched: Record<string, number>;
}

export interface WindowSpan {
  /** Start of the current window; progress from another window is forgotten. */
  start: number;
  /** Matches count now (daily spans close outside their hours). */
  open: boolean;
  /** SLIDING_WINDOW: each match counts for this long, whatever the window start. */
  sliding?: number;
}

function durationOr(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const ms = parseDurationMs(v);
  return ms > 0 ? ms : fallback;
}

function secondsOfDay(v: string | undefined, fallback: number): number {
  const m = v === undefined ? null : /^(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(v);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0) : fallback;
}

/**
 * The window `now` belongs to. DURATION_WINDOW (the default, of P1D): windows of `window` laid
 * from the local midnight shifted by windowAdvance (windows longer than a day from the epoch);
 * SLIDING_WINDOW: each match lasts `window`; DAILY_TIME_DEADLINE: today, matches up to the
 * deadline; DAILY_TIME_WINDOW: today, matches between startTime and endTime. Throws on a
 * malformed duration.
 */
export function windowAt(tw: TimeWindow, now: number, timezone = "UTC"): WindowSpan {
  const type: WindowType = tw.type ?? "DURATION_WINDOW";
  switch (type) {
    case "SLIDING_WINDOW":
      return { start: 0, open: true, sliding: durationOr(tw.window, DAY_MS) };
    case "DAILY_TIME_DEADLINE": {
      const wall = zoned(now, timezone).seconds;
      return { start: localMidnight(now, timezone), open: wall <= secondsOfDay(tw.deadline, 86_400) };
    }
    case "DAILY_TIME_WINDOW": {
      const wall = zoned(now, timezone).seconds;
      const open = wall >= secondsOfDay(tw.startTime, 0) && wall <= secondsOfDay(tw.endTime, 86_400);
      return { start: localMidnight(now, timezone), open };
    }
    case "DURATION_WINDOW": {
      const window = durationOr(tw.window, DAY_MS);
      const advance = tw.windowAdvance === undefined ? 0 : parseDurationMs(tw.windowAdvance);
      if (window > DAY_MS) return { start: Math.floor((now - advance) / window) * window + advance, open: true };
      let anchor = localMidnight(now, timezone) + advance;
      if (anchor > now) anchor -= Math.ceil((anchor - now) / window) * window;
      return { start: anchor + Math.floor((now - anchor) / window) * window, open: true };
    }
    default: {
      const unknown: never = type;
      throw new RangeError(`unknown timeWindow type '${String(unknown)}'`);
    }
  }
}

/**
 * This end's matched entries added to the group's progress (a fresh one when the window moved on,
 * expired matches dropped from a sliding one). Undefined when the window is closed: nothing counts.
 */
export function advanceProgress(
  previous: WindowProgress | undefined,
  span: WindowSpan,
  entries: readonly string[],
  now: number,
): WindowProgress | undefined {
  if (!span.open) return undefined;
  const progress: WindowProgress =
    previous && (span.sliding !== undefined || previous.windowStart === span.start)
      ? { windowStart: previous.windowStart, matched: { ...previous.matched } }
      : { windowStart: span.start, matched: {} };
  if (span.sliding !== undefined) {
    const oldest = now - span.sliding;
    for (const [k, at] of Object.entries(progress.matched)) if (at < oldest) delete progress.matched[k];
  }
  for (const e of entries) progress.matched[e] = now;
  return progress;
}
