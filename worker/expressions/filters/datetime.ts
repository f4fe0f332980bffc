// Owns date-time arithmetic for the date filters: zone offsets through Intl, Java-style
// ZonedDateTime values with nanosecond precision, and Java DateTimeFormatter pattern formatting.
import { RenderError } from "../errors";

/** A point in time with the zone it is expressed in (IANA id or fixed offset like `+01:00`). */
export interface Zoned {
  sec: number;
  nano: number;
  zone: string;
}

export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nano: number;
}

export const DEFAULT_ZONE = "UTC";
const FIXED = /^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
        era: "short",
      });
    } catch {
      throw new RenderError(`Unknown time zone \`${zone}\``);
    }
    if (formatters.size > 500) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/** Fixed offset in seconds for `Z`, `+01`, `+01:00`, `UTC+2`…, or undefined for a region zone. */
export function fixedOffset(zone: string): number | undefined {
  if (zone === "Z" || zone === "UTC" || zone === "GMT" || zone === "UT") return 0;
  const m = FIXED.exec(zone);
  if (!m) return undefined;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === "-" ? -secs : secs;
}

export function offsetAt(zone: string, sec: number): number {
  const fixed = fixedOffset(zone);
  if (fixed !== undefined) return fixed;
  const parts = zoneFormatter(zone).formatToParts(new Date(Math.floor(sec) * 1000));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  let year = get("year");
  if (parts.find((p) => p.type === "era")?.value === "BC") year = 1 - year;
  const local = Date.UTC(year, get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) / 1000;
  return local - Math.floor(sec);
}

export function localFields(z: Zoned): LocalFields {
  const local = z.sec + offsetAt(z.zone, z.sec);
  const d = new Date(local * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    nano: z.nano,
  };
}

/** Resolves a wall-clock time in a zone (the earlier offset wins in overlaps, like Java). */
export function fromLocal(f: LocalFields, zone: string): Zoned {
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  d.setUTCHours(f.hour, f.minute, f.second, 0);
  const local = d.getTime() / 1000;
  let sec = local - offsetAt(zone, local);
  sec = local - offsetAt(zone, sec);
  return { sec, nano: f.nano, zone };
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
export const MONTH_NAMES = MONTHS;

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? `-${s}` : s;
}

function offsetText(off: number, withColon: boolean, zeroAsZ: boolean, minutes = true): string {
  if (off === 0 && zeroAsZ) return "Z";
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  const h = pad(Math.floor(a / 3600), 2);
  const m = pad(Math.floor((a % 3600) / 60), 2);
  if (!minutes && m === "00") return `${sign}${h}`;
  return withColon ? `${sign}${h}:${m}` : `${sign}${h}${m}`;
}

/** ISO day of week, 1 = Monday. */
function dayOfWeek(f: LocalFields): number {
  const wd = new Date(Date.UTC(f.year, f.month - 1, f.day)).getUTCDay();
  return wd === 0 ? 7 : wd;
}

function dayOfYear(f: LocalFields): number {
  return (Date.UTC(f.year, f.month - 1, f.day) - Date.UTC(f.year, 0, 1)) / 86_400_000 + 1;
}

export function isoWeek(f: LocalFields): { year: number; week: number } {
  const date = new Date(Date.UTC(f.year, f.month - 1, f.day));
  date.setUTCDate(date.getUTCDate() + 4 - dayOfWeek(f));
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  return { year: date.getUTCFullYear(), week: Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7) };
}

type Field = (f: LocalFields, n: number, off: number, zone: string) => string;

function text(full: string, n: number): string {
  return n === 5 ? full.charAt(0) : n === 4 ? full : full.slice(0, 3);
}

const FIELDS: Record<string, Field> = {
  G: () => "AD",
  y: (f, n) => (n === 2 ? pad(f.year % 100, 2) : pad(f.year, n)),
  u: (f, n) => (n === 2 ? pad(f.year % 100, 2) : pad(f.year, n)),
  M: (f, n) => (n >= 3 ? text(MONTHS[f.month - 1] ?? "", n) : pad(f.month, n)),
  L: (f, n) => (n >= 3 ? text(MONTHS[f.month - 1] ?? "", n) : pad(f.month, n)),
  d: (f, n) => pad(f.day, n),
  D: (f, n) => pad(dayOfYear(f), n),
  E: (f, n) => text(DAYS[dayOfWeek(f) - 1] ?? "", n),
  e: (f, n) => (n <= 2 ? pad(dayOfWeek(f), n) : text(DAYS[dayOfWeek(f) - 1] ?? "", n)),
  Q: (f, n) => pad(Math.ceil(f.month / 3), n),
  w: (f, n) => pad(isoWeek(f).week, n),
  Y: (f, n) => (n === 2 ? pad(isoWeek(f).year % 100, 2) : pad(isoWeek(f).year, n)),
  a: (f) => (f.hour < 12 ? "AM" : "PM"),
  H: (f, n) => pad(f.hour, n),
  k: (f, n) => pad(f.hour === 0 ? 24 : f.hour, n),
  K: (f, n) => pad(f.hour % 12, n),
  h: (f, n) => pad(f.hour % 12 === 0 ? 12 : f.hour % 12, n),
  m: (f, n) => pad(f.minute, n),
  s: (f, n) => pad(f.second, n),
  S: (f, n) => pad(f.nano, 9).slice(0, n).padEnd(n, "0"),
  n: (f, n) => pad(f.nano, n),
  A: (f, n) => pad(((f.hour * 60 + f.minute) * 60 + f.second) * 1000 + Math.floor(f.nano / 1e6), n),
  X: (_f, n, off) => offsetText(off, n >= 3, true, n !== 1),
  x: (_f, n, off) => offsetText(off, n >= 3, false, n !== 1),
  Z: (_f, n, off) =>
    n === 4 ? (off === 0 ? "GMT" : `GMT${offsetText(off, true, false)}`) : offsetText(off, n === 5, n === 5),
  O: (_f, _n, off) => (off === 0 ? "GMT" : `GMT${offsetText(off, true, false, false).replace(/^([+-])0/, "$1")}`),
  V: (_f, _n, off, zone) => (fixedOffset(zone) === undefined ? zone : offsetText(off, true, true)),
  z: (_f, _n, off, zone) => (fixedOffset(zone) === undefined ? zone : off === 0 ? "Z" : offsetText(off, true, false)),
};

export type PatternPart = { lit: string } | { letter: string; count: number };

export function compilePattern(pattern: string): PatternPart[] {
  const parts: PatternPart[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern.charAt(i);
    if (c === "'") {
      const close = pattern.indexOf("'", i + 1);
      if (close === i + 1) {
        parts.push({ lit: "'" });
        i += 2;
        continue;
      }
      const end = close < 0 ? pattern.length : close;
      parts.push({ lit: pattern.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern.charAt(j) === c) j++;
      if (!(c in FIELDS)) throw new RenderError(`Unknown pattern letter: ${c} in date format \`${pattern}\``);
      parts.push({ letter: c, count: j - i });
      i = j;
    } else {
      if (c !== "[" && c !== "]") parts.push({ lit: c });
      i++;
    }
  }
  return parts;
}

export function formatPattern(z: Zoned, pattern: string): string {
  const off = offsetAt(z.zone, z.sec);
  const f = localFields(z);
  let out = "";
  for (const p of compilePattern(pattern)) {
    if ("lit" in p) out += p.lit;
    else out += (FIELDS[p.letter] as Field)(f, p.count, off, z.zone);
  }
  return out;
}

export function withZone(z: Zoned, zone: string): Zoned {
  offsetAt(zone, z.sec);
  return { sec: z.sec, nano: z.nano, zone };
}
