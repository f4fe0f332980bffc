// ISO-8601 instants, local dates and local times read strictly (as java.time reads them), with a
// sortable key for bounds checks and the text Java would print. Shared by execution inputs and
// typed values elsewhere (KV types, outputs). Errors are RangeErrors with a readable message.

/** [epoch milliseconds of the whole second, nanoseconds]: compares without losing precision. */
export type TemporalKey = [number, number];

export function compareTemporal(a: TemporalKey, b: TemporalKey): number {
  return a[0] - b[0] || a[1] - b[1];
}

const fail = (message: string): never => {
  throw new RangeError(message);
};

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** An instant as [epoch milliseconds of its whole second, nanoseconds], plus Java's ISO text for it. */
export function readInstant(raw: string): { key: TemporalKey; iso: string } {
  const m = INSTANT.exec(raw.trim());
  if (!m) return fail(`'${raw}' is not an ISO-8601 date-time with a zone, e.g. 2024-01-15T10:00:00Z`);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? "0"].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) fail(`'${raw}' is not a valid date-time`);
  const zone = (m[8] ?? "Z").toUpperCase();
  const offsetMin =
    zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - offsetMin * 60_000;
  const nanos = Number((m[7] ?? "").padEnd(9, "0"));
  // Java's ISO_INSTANT prints the fraction in groups of three digits, and none when it is zero.
  const digits = String(nanos).padStart(9, "0");
  const frac =
    nanos === 0 ? "" : `.${nanos % 1e6 === 0 ? digits.slice(0, 3) : nanos % 1e3 === 0 ? digits.slice(0, 6) : digits}`;
  return { key: [ms, nanos], iso: `${new Date(ms).toISOString().slice(0, 19)}${frac}Z` };
}

export function readLocalTime(raw: string): TemporalKey {
  const m = LOCAL_TIME.exec(raw.trim());
  const [h, mi, s] = [m?.[1], m?.[2], m?.[3] ?? "0"].map(Number) as [number, number, number];
  if (!m || h > 23 || mi > 59 || s > 59) return fail(`'${raw}' is not an ISO-8601 local time, e.g. 10:15:30`);
  return [(h * 3600 + mi * 60 + s) * 1000, Number((m[4] ?? "").padEnd(9, "0"))];
}

export function readLocalDate(raw: string): TemporalKey {
  const m = LOCAL_DATE.exec(raw.trim());
  if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    return fail(`'${raw}' is not an ISO-8601 local date, e.g. 2024-01-15`);
  }
  return [Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])), 0];
}
