// The PublicHoliday condition's calendar: whether a local date is a public holiday of a country
// (ISO 3166-1) or one of its subdivisions (ISO 3166-2, `DE-BY` or `BY`). The rules are data kept
// by the date-holidays package, a separate module (worker/lazy/) loaded on first use only, so that
// no other request downloads or parses its ~2 MB.

import type HolidaysClass from "date-holidays";
import { DomainError } from "../errors";
import { loadDateHolidays } from "../lazy-modules";

type Holidays = InstanceType<typeof HolidaysClass>;

let loading: Promise<typeof HolidaysClass> | undefined;
/** Public holiday dates (YYYY-MM-DD) per "country|subdivision|year": a schedule asks every tick. */
const cache = new Map<string, ReadonlySet<string>>();

export class HolidayCalendarError extends DomainError {
  override readonly name = "HolidayCalendarError";
  readonly code = "invalid";
}

async function library(): Promise<typeof HolidaysClass> {
  loading ??= loadDateHolidays().then((m) => m.default);
  return loading;
}

async function calendarOf(country: string, subDivision: string | undefined): Promise<Holidays> {
  const Holidays = await library();
  const hd = new Holidays();
  if (!(country in hd.getCountries())) throw new HolidayCalendarError(`PublicHoliday: unknown country '${country}'`);
  hd.init(country);
  if (subDivision) {
    const states = hd.getStates(country) ?? {};
    if (!Object.keys(states).some((s) => s.toUpperCase() === subDivision)) {
      throw new HolidayCalendarError(`PublicHoliday: unknown subDivision '${subDivision}' of '${country}'`);
    }
    hd.init(country, subDivision);
  }
  return hd;
}

/**
 * Whether `date` (YYYY-MM-DD, the local day the caller has already worked out in its time zone)
 * is a public holiday. Bank, school, optional and observance days are not: Kestra's Jollyday
 * calendars list official holidays only.
 */
export async function isPublicHoliday(date: string, country: string, subDivision?: string): Promise<boolean> {
  const c = country.trim().toUpperCase();
  let sub = subDivision?.trim().toUpperCase() || undefined;
  if (sub?.startsWith(`${c}-`)) sub = sub.slice(c.length + 1);
  const year = Number(date.slice(0, 4));
  const key = `${c}|${sub ?? ""}|${year}`;
  let days = cache.get(key);
  if (!days) {
    const hd = await calendarOf(c, sub);
    days = new Set(
      hd
        .getHolidays(year)
        .filter((h) => h.type === "public")
        .map((h) => h.date.slice(0, 10)),
    );
    cache.set(key, days);
  }
  return days.has(date);
}
