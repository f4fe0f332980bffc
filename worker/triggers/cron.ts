// Schedule arithmetic (spec §9.1) on top of croner: which occurrences of a Schedule trigger are due
// at a given instant, given where its cursor stands and its recoverMissedSchedules mode. Pure: the
// scheduler Durable Object supplies the clock, so tests can walk a week of ticks without sleeping.
import { Cron } from "croner";

/** Kestra's nicknames, spelled out so that croner and cron-utils agree on them. */
const NICKNAMES: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

export interface CronSpec {
  cron: string;
  withSeconds?: boolean;
  timezone?: string;
}

export type RecoverMode = "ALL" | "LAST" | "NONE";

/** An occurrence later than this after its date is "missed" rather than merely delivered late. */
export const ON_TIME_GRACE_MS = 60_000;

export function compile(spec: CronSpec): Cron {
  const nick = NICKNAMES[spec.cron.trim().toLowerCase()];
  const pattern = nick ?? spec.cron.trim();
  const fields = pattern.split(/\s+/).length;
  const seconds = !nick && spec.withSeconds === true;
  if (fields !== (seconds ? 6 : 5)) {
    throw new Error(`cron '${spec.cron}' must have ${seconds ? 6 : 5} fields${seconds ? " (withSeconds)" : ""}`);
  }
  // 0 and 7 are both Sunday, as in cron-utils' UNIX definition; croner already reads them so.
  return new Cron(pattern, {
    mode: seconds ? "6-part" : "5-part",
    timezone: spec.timezone,
    paused: true,
    domAndDow: false,
  });
}

/** The first occurrence strictly after `after` (epoch ms). */
export function nextAfter(cron: Cron, after: number): number | undefined {
  return cron.nextRun(new Date(after))?.getTime();
}

/** The latest occurrence at or before `at`. */
export function latestAtOrBefore(cron: Cron, at: number): number | undefined {
  return cron.previousRuns(1, new Date(at + 1))[0]?.getTime();
}

/** The occurrence before `date`, for `trigger.previous`. */
export function previousBefore(cron: Cron, date: number): number | undefined {
  return cron.previousRuns(1, new Date(date))[0]?.getTime();
}

export interface DuePlan {
  /** Occurrences to start now, oldest first. */
  fire: number[];
  /** The new cursor: the last occurrence handled; the next one is due after it. */
  cursor: number;
  /** More occurrences are already due (ALL mode with more than `limit` behind). */
  more: boolean;
}

/**
 * What to do about the occurrences in [next, now]. The newest is fired when on time; the older
 * ones were missed and are all fired (ALL), dropped in favour of the newest (LAST), or dropped
 * with the newest too when it is itself late (NONE). lateMaximumDelay drops anything older.
 */
export function planDue(
  cron: Cron,
  next: number,
  now: number,
  mode: RecoverMode,
  opts: { lateMaximumDelayMs?: number; limit: number },
): DuePlan {
  const oldestAllowed = opts.lateMaximumDelayMs === undefined ? -Infinity : now - opts.lateMaximumDelayMs;
  if (next > now) return { fire: [], cursor: next - 1, more: false };
  const latest = latestAtOrBefore(cron, now) ?? next;
  if (mode !== "ALL") {
    const onTime = now - latest <= ON_TIME_GRACE_MS;
    const take = latest >= oldestAllowed && (mode === "LAST" || onTime);
    return { fire: take ? [latest] : [], cursor: latest, more: false };
  }
  const fire: number[] = [];
  let at: number | undefined = next;
  let cursor = next;
  // Occurrences older than lateMaximumDelay are skipped in one jump rather than walked.
  if (at < oldestAllowed) {
    const lastTooOld = latestAtOrBefore(cron, Math.floor(oldestAllowed) - 1);
    if (lastTooOld !== undefined && lastTooOld >= at) {
      cursor = lastTooOld;
      at = nextAfter(cron, lastTooOld);
    }
  }
  while (at !== undefined && at <= now && fire.length < opts.limit) {
    fire.push(at);
    cursor = at;
    at = nextAfter(cron, at);
  }
  return { fire, cursor, more: at !== undefined && at <= now };
}

/** Occurrences in [from, to], at most `limit`: what a backfill walks. */
export function occurrences(cron: Cron, from: number, to: number, limit: number): number[] {
  const out: number[] = [];
  let at = nextAfter(cron, from - 1);
  while (at !== undefined && at <= to && out.length < limit) {
    out.push(at);
    at = nextAfter(cron, at);
  }
  return out;
}
