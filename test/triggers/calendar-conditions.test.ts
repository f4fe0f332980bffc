// Calendar conditions of Schedules, read in the trigger's time zone: PublicHoliday by country and
// subdivision on known dates (the date-holidays calendars), and the common "skip holidays" case
// end to end, a daily Schedule with Not PublicHoliday driven by the scheduler's alarm and clock.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { conditionsMet } from "../../worker/triggers/conditions";
import { triggersStub } from "../../worker/triggers/object";
import { saveFlow } from "../helpers/executions";
import { alarm, context, frozenTenant, HOUR, indexed } from "../helpers/triggers";

const HOLIDAY = "io.kestra.plugin.core.condition.PublicHoliday";

async function holiday(at: string, fields: Record<string, unknown>, timezone?: string) {
  return conditionsMet([{ type: HOLIDAY, ...fields }], { vars: {}, date: Date.parse(at), timezone });
}

describe("PublicHoliday condition", () => {
  it("knows Christmas in France (2026-12-25) and not the day before", async () => {
    expect(await holiday("2026-12-25T10:00:00Z", { country: "FR" })).toEqual({ met: true });
    expect(await holiday("2026-12-24T10:00:00Z", { country: "FR" })).toEqual({ met: false });
    // Easter Monday moves every year: 2026-04-06.
    expect(await holiday("2026-04-06T10:00:00Z", { country: "fr" })).toEqual({ met: true });
  });

  it("honours a subdivision: Epiphany (2026-01-06) is a holiday in Bavaria, not in Berlin", async () => {
    expect(await holiday("2026-01-06T10:00:00Z", { country: "DE", subDivision: "DE-BY" })).toEqual({ met: true });
    expect(await holiday("2026-01-06T10:00:00Z", { country: "DE", subDivision: "BY" })).toEqual({ met: true });
    expect(await holiday("2026-01-06T10:00:00Z", { country: "DE", subDivision: "BE" })).toEqual({ met: false });
    expect(await holiday("2026-01-06T10:00:00Z", { country: "DE" })).toEqual({ met: false });
  });

  it("reads the day in the trigger's time zone, and a rendered date when one is given", async () => {
    // 23:30 UTC on the 24th is already the 25th in Paris.
    expect(await holiday("2026-12-24T23:30:00Z", { country: "FR" })).toEqual({ met: false });
    expect(await holiday("2026-12-24T23:30:00Z", { country: "FR" }, "Europe/Paris")).toEqual({ met: true });
    const rendered = await conditionsMet([{ type: HOLIDAY, country: "FR", date: "{{ when }}" }], {
      vars: { when: "2026-07-14T08:00:00Z" },
      date: Date.parse("2026-07-13T08:00:00Z"),
    });
    expect(rendered).toEqual({ met: true });
  });

  it("is not met, with the reason, for an unknown country or subdivision or without a country", async () => {
    const unknown = await holiday("2026-12-25T10:00:00Z", { country: "XX" });
    expect(unknown).toEqual({ met: false, error: expect.stringContaining("unknown country 'XX'") });
    const sub = await holiday("2026-12-25T10:00:00Z", { country: "FR", subDivision: "FR-ZZ" });
    expect(sub).toEqual({ met: false, error: expect.stringContaining("unknown subDivision 'ZZ'") });
    expect(await holiday("2026-12-25T10:00:00Z", {})).toEqual({
      met: false,
      error: expect.stringContaining("country"),
    });
  });

  it("skips the holiday of a daily Schedule wrapped in Not, and starts every other day", async () => {
    const t = await frozenTenant("2026-12-23T12:00:00Z");
    await saveFlow(
      t,
      `
id: workdays
namespace: sched
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.date }}"
triggers:
  - id: every
    type: io.kestra.core.models.triggers.types.Schedule
    cron: "0 9 * * *"
    timezone: Europe/Paris
    allowConcurrent: true
    conditions:
      - type: io.kestra.core.models.conditions.types.NotCondition
        conditions:
          - type: io.kestra.plugin.core.condition.PublicHoliday
            country: FR
`,
    );
    const stub = triggersStub(env, t.tenantId);
    for (let day = 0; day < 4; day++) {
      await stub.advanceClock(24 * HOUR);
      await alarm(t);
    }
    const ctx = await context(t, "workdays");
    expect(ctx.date).toBe("2026-12-27T08:00:00.000Z");
    expect(ctx.lastError).toBeNull();
    expect(await indexed(t, "workdays", 3)).toBe(3);
    const res = await t.fetch("executions/search?flowId=workdays&size=10");
    const body = (await res.json()) as { results: { trigger?: { variables?: { date?: string } } }[] };
    expect(body.results.map((r) => r.trigger?.variables?.date).sort()).toEqual([
      "2026-12-24T08:00:00.000Z",
      "2026-12-26T08:00:00.000Z",
      "2026-12-27T08:00:00.000Z",
    ]);
  }, 60_000);
});
