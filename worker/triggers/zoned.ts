// Wall-clock arithmetic in an IANA time zone with Intl only (no tz data of our own): the calendar
// fields of an instant, and the instant a local day starts. Calendar conditions and the daily
// windows of preconditions use it, so a DST change moves "09:00" with the zone, not with UTC.

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      weekday: "long",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(timezone, f);
  }
  return f;
}

export interface ZonedFields {
  year: number;
  month: number;
  day: number;
  /** MONDAY … SUNDAY. */
  weekday: string;
  daysInMonth: number;
  /** Seconds since the local midnight, as the wall clock reads (DST jumps included). */
  seconds: number;
}

/** True when Intl knows the zone; an unknown one would otherwise throw deep inside an evaluation. */
export function isTimeZone(timezone: string): boolean {
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}

/** Calendar fields of an instant in a time zone (UTC by default). */
export function zoned(at: number, timezone = "UTC"): ZonedFields {
  const parts = formatter(timezone).formatToParts(new Date(at));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  const year = Number(get("year"));
  const month = Number(get("month"));
  const day = Number(get("day"));
  return {
    year,
    month,
    day,
    weekday: get("weekday").toUpperCase(),
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
    seconds: Number(get("hour")) * 3600 + Number(get("minute")) * 60 + Number(get("second")),
  };
}

/** `YYYY-MM-DD` of the instant's local day. */
export function localDate(at: number, timezone = "UTC"): string {
  const z = zoned(at, timezone);
  return `${z.year}-${String(z.month).padStart(2, "0")}-${String(z.day).padStart(2, "0")}`;
}

/** The zone's offset from UTC at an instant, in ms (Paris in winter: +3_600_000). */
function offsetAt(at: number, timezone: string): number {
  const z = zoned(at, timezone);
  const wall = Date.UTC(z.year, z.month - 1, z.day) + z.seconds * 1000;
  return wall - (at - (((at % 1000) + 1000) % 1000));
}

/** The instant the local day containing `at` began. Midnights that DST skips do not exist in the zones that shift at 00:00; then the day starts at the first instant after. */
export function localMidnight(at: number, timezone = "UTC"): number {
  const z = zoned(at, timezone);
  const wallMidnight = Date.UTC(z.year, z.month - 1, z.day);
  // Two passes: the offset at a first guess, then at the corrected instant (they differ across a shift).
  let guess = wallMidnight - offsetAt(at, timezone);
  guess = wallMidnight - offsetAt(guess, timezone);
  return guess > at ? wallMidnight - offsetAt(at, timezone) : guess;
}
