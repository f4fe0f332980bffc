// The calendar conditions of Schedules other than PublicHoliday, read in the trigger's time zone:
// DayWeek, DayWeekInMonth (FIRST…FOURTH, LAST), Weekend, TimeBetween and DateTimeBetween, with a
// rendered `date` when one is given, and how they combine with Or and Not.
import { describe, expect, it } from "vitest";
import { conditionsMet } from "../../worker/triggers/conditions";

const C = "io.kestra.plugin.core.condition.";

async function met(at: string, condition: Record<string, unknown>, timezone?: string): Promise<boolean> {
  const outcome = await conditionsMet([condition], { vars: { trigger: { date: at } }, date: Date.parse(at), timezone });
  if (!outcome.met && outcome.error) throw new Error(outcome.error);
  return outcome.met;
}

describe("calendar conditions", () => {
  it("DayWeek: 2026-12-03 is a Thursday in UTC, and already a Friday in Tokyo at 20:00 UTC", async () => {
    expect(await met("2026-12-03T10:00:00Z", { type: `${C}DayWeek`, dayOfWeek: "THURSDAY" })).toBe(true);
    expect(await met("2026-12-03T10:00:00Z", { type: `${C}DayWeek`, dayOfWeek: "FRIDAY" })).toBe(false);
    expect(await met("2026-12-03T20:00:00Z", { type: `${C}DayWeek`, dayOfWeek: "FRIDAY" }, "Asia/Tokyo")).toBe(true);
  });

  it("DayWeekInMonth: the first, third and last Monday of 2026-11", async () => {
    const monday = (at: string, dayInMonth: string) =>
      met(at, { type: `${C}DayWeekInMonth`, dayOfWeek: "MONDAY", dayInMonth });
    expect(await monday("2026-11-02T09:00:00Z", "FIRST")).toBe(true);
    expect(await monday("2026-11-09T09:00:00Z", "FIRST")).toBe(false);
    expect(await monday("2026-11-16T09:00:00Z", "THIRD")).toBe(true);
    expect(await monday("2026-11-30T09:00:00Z", "LAST")).toBe(true);
    expect(await monday("2026-11-23T09:00:00Z", "LAST")).toBe(false);
  });

  it("Weekend: Saturday and Sunday only", async () => {
    expect(await met("2026-12-05T12:00:00Z", { type: `${C}Weekend` })).toBe(true);
    expect(await met("2026-12-06T12:00:00Z", { type: `${C}Weekend` })).toBe(true);
    expect(await met("2026-12-07T12:00:00Z", { type: `${C}Weekend` })).toBe(false);
  });

  it("TimeBetween: within after/before (inclusive), in the trigger's zone; either bound may be left out", async () => {
    const between = { type: `${C}TimeBetween`, after: "09:00:00", before: "17:30:00" };
    expect(await met("2026-12-03T09:00:00Z", between)).toBe(true);
    expect(await met("2026-12-03T17:31:00Z", between)).toBe(false);
    expect(await met("2026-12-03T08:30:00Z", between, "Europe/Paris")).toBe(true);
    expect(await met("2026-12-03T23:00:00Z", { type: `${C}TimeBetween`, after: "22:00" })).toBe(true);
    expect(await met("2026-12-03T23:00:00Z", { type: `${C}TimeBetween`, before: "22:00" })).toBe(false);
  });

  it("DateTimeBetween: an instant window, and a rendered date instead of the schedule's", async () => {
    const window = { type: `${C}DateTimeBetween`, after: "2026-12-01T00:00:00Z", before: "2026-12-31T23:59:59Z" };
    expect(await met("2026-12-03T10:00:00Z", window)).toBe(true);
    expect(await met("2027-01-01T00:00:00Z", window)).toBe(false);
    expect(await met("2027-01-01T00:00:00Z", { ...window, date: "{{ trigger.date | dateAdd(-2, 'DAYS') }}" })).toBe(
      true,
    );
  });

  it("combines with Or and Not: weekdays outside office hours", async () => {
    const offHours = {
      type: `${C}Not`,
      conditions: [
        {
          type: `${C}Or`,
          conditions: [{ type: `${C}Weekend` }, { type: `${C}TimeBetween`, after: "09:00", before: "18:00" }],
        },
      ],
    };
    expect(await met("2026-12-03T20:00:00Z", offHours)).toBe(true);
    expect(await met("2026-12-03T10:00:00Z", offHours)).toBe(false);
    expect(await met("2026-12-05T20:00:00Z", offHours)).toBe(false);
  });
});
