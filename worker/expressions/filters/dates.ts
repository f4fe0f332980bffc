// Owns the date filters (date, dateAdd, timestamp*) and parsing of date inputs: ISO strings
// (zoned, local date-time, local date), epoch seconds, and strings in an `existingFormat`.
import type { Args, FilterFn } from "../env";
import { arg, argString } from "../env";
import { RenderError } from "../errors";
import { firstMatch } from "../regex";
import { toText } from "../values";
import {
  compilePattern,
  DEFAULT_ZONE,
  fixedOffset,
  formatPattern,
  fromLocal,
  type LocalFields,
  localFields,
  MONTH_NAMES,
  withZone,
  type Zoned,
} from "./datetime";

/** A parsed input: either a point in time, or a wall-clock time still waiting for a zone. */
export type DateInput = { zoned: Zoned } | { local: LocalFields };

const ISO =
  /^(-?\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?(?:\[([^\]]+)\])?$/;
const RFC_1123 =
  /^(?:[A-Za-z]{3},\s*)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? (GMT|UT|Z|[+-]\d{4})$/;

function nanoOf(fraction: string | undefined): number {
  return fraction ? Number(fraction.padEnd(9, "0")) : 0;
}

function monthOf(name: string): number {
  const i = MONTH_NAMES.findIndex((m) => m.toLowerCase().startsWith(name.toLowerCase().slice(0, 3)));
  if (i < 0) throw new RenderError(`Unknown month name \`${name}\``);
  return i + 1;
}

function normalizeOffset(o: string): string {
  if (o === "Z" || o === "GMT" || o === "UT") return "Z";
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(o);
  return m ? `${m[1]}${m[2]}:${m[3] ?? "00"}` : o;
}

function parseIso(s: string): DateInput | undefined {
  const m = ISO.exec(s.trim());
  if (!m) return undefined;
  const local: LocalFields = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    nano: nanoOf(m[7]),
  };
  const zone = m[9] ?? (m[8] ? normalizeOffset(m[8]) : undefined);
  if (zone === undefined) return { local };
  if (m[9] && m[8]) {
    const offsetZoned = fromLocal(local, normalizeOffset(m[8]));
    return { zoned: withZone(offsetZoned, m[9]) };
  }
  return { zoned: fromLocal(local, zone) };
}

function parseRfc1123(s: string): DateInput | undefined {
  const m = RFC_1123.exec(s.trim());
  if (!m) return undefined;
  const local: LocalFields = {
    year: Number(m[3]),
    month: monthOf(m[2] ?? ""),
    day: Number(m[1]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
    nano: 0,
  };
  return { zoned: fromLocal(local, normalizeOffset(m[7] ?? "Z")) };
}

const PATTERN_REGEX: Record<string, string> = {
  y: "(-?\\d{1,9})",
  u: "(-?\\d{1,9})",
  M: "(\\d{1,2})",
  d: "(\\d{1,2})",
  H: "(\\d{1,2})",
  h: "(\\d{1,2})",
  k: "(\\d{1,2})",
  K: "(\\d{1,2})",
  m: "(\\d{1,2})",
  s: "(\\d{1,2})",
  S: "(\\d{1,9})",
  a: "([AaPp][Mm])",
  E: "([A-Za-z]+)",
  X: "(Z|[+-]\\d{2}(?::?\\d{2})?)",
  x: "([+-]\\d{2}(?::?\\d{2})?)",
  Z: "(Z|GMT|[+-]\\d{2}:?\\d{2})",
  z: "([A-Za-z_/+-]+)",
  V: "([A-Za-z_/+-]+)",
};

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Parses with a Java pattern such as `MMMM dd, yyyy`. */
function parsePattern(s: string, pattern: string): DateInput {
  const parts = compilePattern(pattern);
  let re = "^";
  const letters: string[] = [];
  for (const p of parts) {
    if ("lit" in p) re += escapeRegex(p.lit);
    else {
      const r = p.letter === "M" && p.count >= 3 ? "([A-Za-z]+)" : PATTERN_REGEX[p.letter];
      if (!r) throw new RenderError(`Pattern letter ${p.letter} is not supported when parsing dates`);
      re += r;
      letters.push(p.letter);
    }
  }
  const m = firstMatch(`${re}$`, s.trim());
  if (!m) throw new RenderError(`Text '${s}' could not be parsed with the format \`${pattern}\``);
  const f: LocalFields = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, nano: 0 };
  let zone: string | undefined;
  let pm: boolean | undefined;
  letters.forEach((letter, i) => {
    const v = m[i + 1] ?? "";
    if (letter === "y" || letter === "u") f.year = Number(v);
    else if (letter === "M") f.month = /^\d+$/.test(v) ? Number(v) : monthOf(v);
    else if (letter === "d") f.day = Number(v);
    else if (letter === "H" || letter === "k") f.hour = Number(v) % 24;
    else if (letter === "h" || letter === "K") f.hour = Number(v) % 12;
    else if (letter === "m") f.minute = Number(v);
    else if (letter === "s") f.second = Number(v);
    else if (letter === "S") f.nano = nanoOf(v);
    else if (letter === "a") pm = v.toLowerCase() === "pm";
    else if ("XxZzV".includes(letter)) zone = normalizeOffset(v);
  });
  if (pm) f.hour += 12;
  return zone === undefined ? { local: f } : { zoned: fromLocal(f, zone) };
}

export function toInstant(value: unknown, existingFormat: string | undefined): DateInput {
  if (typeof value === "number") {
    const sec = Math.floor(value);
    return { zoned: { sec, nano: 0, zone: DEFAULT_ZONE } };
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    return { zoned: { sec: Math.floor(ms / 1000), nano: (((ms % 1000) + 1000) % 1000) * 1e6, zone: DEFAULT_ZONE } };
  }
  if (typeof value !== "string") {
    throw new RenderError(`Unable to convert \`${toText(value)}\` to a date`);
  }
  if (existingFormat && !existingFormat.startsWith("iso")) {
    if (existingFormat === "rfc_1123_date_time") {
      const r = parseRfc1123(value);
      if (r) return r;
    } else {
      return parsePattern(value, NAMED_PATTERNS[existingFormat] ?? existingFormat);
    }
  }
  const parsed = parseIso(value);
  if (!parsed) throw new RenderError(`Text '${value}' could not be parsed as a date`);
  return parsed;
}

function resolve(input: DateInput, zone: string): Zoned {
  return "zoned" in input ? input.zoned : fromLocal(input.local, zone);
}

const NAMED_PATTERNS: Record<string, string> = {
  iso: "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
  iso_sec: "yyyy-MM-dd'T'HH:mm:ssXXX",
  sql: "yyyy-MM-dd HH:mm:ss.SSSSSS",
  sql_seq: "yyyy-MM-dd HH:mm:ss",
  iso_local_date: "yyyy-MM-dd",
};

/** ISO time with the shortest fraction (trailing zeros dropped), as Java's ISO_LOCAL_TIME prints. */
function isoTime(z: Zoned): string {
  const f = localFields(z);
  const frac = f.nano === 0 ? "" : `.${String(f.nano).padStart(9, "0").replace(/0+$/, "")}`;
  return `${formatPattern(z, "HH:mm:ss")}${frac}`;
}

function regionSuffix(z: Zoned): string {
  return fixedOffset(z.zone) === undefined ? `[${z.zone}]` : "";
}

const NAMED: Record<string, (z: Zoned) => string> = {
  iso_date_time: (z) => `${formatPattern(z, "yyyy-MM-dd")}T${isoTime(z)}${formatPattern(z, "XXX")}${regionSuffix(z)}`,
  iso_zoned_date_time: (z) =>
    `${formatPattern(z, "yyyy-MM-dd")}T${isoTime(z)}${formatPattern(z, "XXX")}${regionSuffix(z)}`,
  iso_offset_date_time: (z) => `${formatPattern(z, "yyyy-MM-dd")}T${isoTime(z)}${formatPattern(z, "XXX")}`,
  iso_local_date_time: (z) => `${formatPattern(z, "yyyy-MM-dd")}T${isoTime(z)}`,
  iso_date: (z) => formatPattern(z, "yyyy-MM-ddXXX"),
  iso_time: (z) => `${isoTime(z)}${formatPattern(z, "XXX")}`,
  iso_offset_time: (z) => `${isoTime(z)}${formatPattern(z, "XXX")}`,
  iso_local_time: (z) => isoTime(z),
  iso_ordinal_date: (z) => formatPattern(z, "yyyy-DDDXXX"),
  iso_week_date: (z) => formatPattern(z, "YYYY-'W'ww-eXXX"),
  iso_instant: (z) => {
    const utc = withZone(z, "Z");
    const digits = utc.nano === 0 ? 0 : utc.nano % 1e6 === 0 ? 3 : utc.nano % 1e3 === 0 ? 6 : 9;
    return formatPattern(utc, digits ? `yyyy-MM-dd'T'HH:mm:ss.${"S".repeat(digits)}'Z'` : "yyyy-MM-dd'T'HH:mm:ss'Z'");
  },
  rfc_1123_date_time: (z) => {
    const off = formatPattern(z, "xx");
    return `${formatPattern(z, "EEE, d MMM yyyy HH:mm:ss")} ${off === "+0000" ? "GMT" : off}`;
  },
};

const STYLES = new Set(["full", "long", "medium", "short"]);

export function formatDate(input: DateInput, format: string | undefined, timeZone: string | undefined): string {
  const zone = timeZone ?? DEFAULT_ZONE;
  const z = withZone(resolve(input, zone), zone);
  const fmt = format ?? "iso";
  const named = NAMED[fmt];
  if (named) return named(z);
  if (STYLES.has(fmt)) {
    const style = fmt as "full" | "long" | "medium" | "short";
    const ms = z.sec * 1000 + Math.floor(z.nano / 1e6);
    const tz = fixedOffset(zone) === 0 ? "UTC" : zone;
    return new Intl.DateTimeFormat("en-US", { dateStyle: style, timeStyle: style, timeZone: tz }).format(ms);
  }
  return formatPattern(z, NAMED_PATTERNS[fmt] ?? fmt);
}

const DATE_ARGS = (args: Args, offset: number) => ({
  format: argString(args, offset, "format"),
  timeZone: argString(args, offset + 1, "timeZone"),
  existingFormat: argString(args, offset + 2, "existingFormat"),
});

const UNIT_SECONDS: Record<string, number> = {
  SECONDS: 1,
  MINUTES: 60,
  HOURS: 3600,
  HALF_DAYS: 43200,
};
const UNIT_MONTHS: Record<string, number> = { MONTHS: 1, YEARS: 12, DECADES: 120, CENTURIES: 1200, MILLENNIA: 12000 };
const UNIT_NANOS: Record<string, number> = { NANOS: 1, MICROS: 1e3, MILLIS: 1e6 };

export function plus(z: Zoned, amount: number, unit: string): Zoned {
  const u = unit.toUpperCase();
  if (u in UNIT_NANOS) {
    const total = z.nano + amount * (UNIT_NANOS[u] as number);
    const carry = Math.floor(total / 1e9);
    return { sec: z.sec + carry, nano: total - carry * 1e9, zone: z.zone };
  }
  if (u in UNIT_SECONDS) return { ...z, sec: z.sec + amount * (UNIT_SECONDS[u] as number) };
  const f = localFields(z);
  if (u === "DAYS" || u === "WEEKS") {
    const d = new Date(Date.UTC(f.year, f.month - 1, f.day + amount * (u === "WEEKS" ? 7 : 1)));
    return fromLocal({ ...f, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }, z.zone);
  }
  const months = UNIT_MONTHS[u];
  if (months === undefined) throw new RenderError(`Unknown time unit \`${unit}\` (expected a ChronoUnit like DAYS)`);
  const total = f.year * 12 + (f.month - 1) + amount * months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return fromLocal({ ...f, year, month, day: Math.min(f.day, lastDay) }, z.zone);
}

function zonedOf(input: unknown, args: Args, offset: number): Zoned {
  const { timeZone, existingFormat } = DATE_ARGS(args, offset);
  return resolve(toInstant(input, existingFormat), timeZone ?? DEFAULT_ZONE);
}

function nullSafe(fn: FilterFn): FilterFn {
  return (input, args, env) => (input === null || input === undefined ? null : fn(input, args, env));
}

export const DATE_FILTERS: Record<string, FilterFn> = {
  date: nullSafe((input, args) => {
    const { format, timeZone, existingFormat } = DATE_ARGS(args, 0);
    return formatDate(toInstant(input, existingFormat), format, timeZone);
  }),
  dateAdd: nullSafe((input, args) => {
    const amount = Number(arg(args, 0, "amount"));
    const unit = argString(args, 1, "unit");
    if (!Number.isFinite(amount) || !unit) throw new RenderError("dateAdd needs an amount and a unit");
    const { format, timeZone, existingFormat } = DATE_ARGS(args, 2);
    const z = plus(resolve(toInstant(input, existingFormat), timeZone ?? DEFAULT_ZONE), amount, unit);
    return formatDate({ zoned: z }, format, timeZone);
  }),
  timestamp: nullSafe((input, args) => zonedOf(input, args, 0).sec),
  timestampMilli: nullSafe((input, args) => {
    const z = zonedOf(input, args, 0);
    return z.sec * 1000 + Math.floor(z.nano / 1e6);
  }),
  // Kestra's formula (seconds × 10⁹ + microseconds) is kept so existing flows see the same numbers.
  timestampMicro: nullSafe((input, args) => {
    const z = zonedOf(input, args, 0);
    return (BigInt(z.sec) * 1_000_000_000n + BigInt(Math.floor(z.nano / 1000))).toString();
  }),
  timestampNano: nullSafe((input, args) => {
    const z = zonedOf(input, args, 0);
    return (BigInt(z.sec) * 1_000_000_000n + BigInt(z.nano)).toString();
  }),
};
