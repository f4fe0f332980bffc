// ISO-8601 durations (`PT1S`, `P1DT2H`, `-PT0.5S`) as milliseconds, shared by Sleep, timeouts,
// retries, Pause and DURATION inputs. Kestra reads them as java.time.Duration, which has no
// calendar units: years and months are refused here too, since their length is not fixed.
import { parse, pattern } from "iso8601-duration";

const ANCHORED = new RegExp(`^${pattern.source}$`);

/** Milliseconds (fractions kept to the microsecond) of an ISO-8601 duration; throws a readable error. */
export function parseDurationMs(iso: string): number {
  const text = typeof iso === "string" ? iso.trim() : "";
  const negative = text.startsWith("-");
  const body = (negative || text.startsWith("+") ? text.slice(1) : text).toUpperCase();
  if (!ANCHORED.test(body.replace(/,/g, "."))) {
    throw new RangeError(`Invalid ISO-8601 duration '${String(iso)}' (expected e.g. PT30S, PT5M, P1DT2H)`);
  }
  let d: ReturnType<typeof parse>;
  try {
    d = parse(body);
  } catch {
    throw new RangeError(`Invalid ISO-8601 duration '${String(iso)}' (expected e.g. PT30S, PT5M, P1DT2H)`);
  }
  if (d.years || d.months) {
    throw new RangeError(`Invalid duration '${String(iso)}': years and months have no fixed length, use days`);
  }
  const seconds =
    (d.weeks ?? 0) * 604_800 +
    (d.days ?? 0) * 86_400 +
    (d.hours ?? 0) * 3_600 +
    (d.minutes ?? 0) * 60 +
    (d.seconds ?? 0);
  const ms = Math.round(seconds * 1_000_000) / 1_000;
  return negative ? -ms : ms;
}

/** The ISO-8601 text of a millisecond count, in java.time.Duration's style (`PT1M30S`, `PT0.25S`). */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return "PT0S";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.round(rest * 1000) / 1_000_000;
  let out = `${sign}PT`;
  if (hours) out += `${hours}H`;
  if (minutes) out += `${minutes}M`;
  if (seconds) out += `${seconds}S`;
  return out;
}
