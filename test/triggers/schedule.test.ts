// Schedule triggers driven through the scheduler object's alarm with its test clock, never by
// sleeping: a dense stretch of 1-second ticks with double deliveries and restarts, a simulated
// week in jumps, each recoverMissedSchedules mode after a long gap, flow updates around a tick,
// trigger variables, backfill and the triggers API. Flows about tick handling set allowConcurrent,
// so that no tick waits for the previous execution's end; the lock has its own file.
import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { executionStub } from "../../worker/execution/object";
import { derivedId } from "../../worker/ids";
import { triggersStub } from "../../worker/triggers/object";
import { triggerKey } from "../../worker/triggers/schedule";
import { saveFlow } from "../helpers/executions";
import type { TestTenant } from "../helpers/tenant";
import { alarm, context, frozenTenant, HOUR, indexed, triggersObject } from "../helpers/triggers";

const flow = (id: string, trigger: string, extra = "") => `
id: ${id}
namespace: sched
inputs:
  - id: when
    type: STRING
    defaults: none
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.when }}"
triggers:
  - id: every
    type: io.kestra.plugin.core.trigger.Schedule
${trigger
  .trim()
  .split("\n")
  .map((l) => `    ${l}`)
  .join("\n")}
${extra}`;

const idOf = (t: TestTenant, flowId: string, date: string, purpose = "schedule") =>
  derivedId(triggerKey(t.tenantId, { namespace: "sched", flowId, triggerId: "every" }), `${purpose}:${date}`);

async function exists(t: TestTenant, flowId: string, date: string): Promise<boolean> {
  return !!(await executionStub(env, t.tenantId, await idOf(t, flowId, date)).get());
}

describe("schedule trigger", () => {
  it("starts exactly one execution per 1-second tick over 200 ticks with double alarms and restarts", async () => {
    const t = await frozenTenant();
    await saveFlow(
      t,
      flow("dense", "cron: '* * * * * *'\nwithSeconds: true\nrecoverMissedSchedules: ALL\nallowConcurrent: true"),
    );
    const first = (await context(t, "dense")).nextExecutionDate;
    expect(first).not.toBeNull();
    const stub = triggersStub(env, t.tenantId);
    for (let i = 0; i < 200; i++) {
      await stub.advanceClock(1000);
      await alarm(t, i % 3 === 0);
      if (i % 40 === 39) await evictDurableObject(triggersObject(t));
    }
    const last = (await context(t, "dense")).date;
    const from = Date.parse(first ?? "");
    const to = Date.parse(last ?? "");
    const ticks = (to - from) / 1000 + 1;
    expect(ticks).toBe(200);
    const dates = Array.from({ length: ticks }, (_, i) => new Date(from + i * 1000).toISOString());
    const found = await Promise.all(dates.map((d) => exists(t, "dense", d)));
    expect(found.filter(Boolean)).toHaveLength(ticks);
    expect(await indexed(t, "dense", ticks)).toBe(ticks);
  }, 120_000);

  it("runs the last missed tick after each jump of a simulated week (LAST), with trigger.date/next/previous", async () => {
    const t = await frozenTenant();
    await saveFlow(
      t,
      flow(
        "week",
        "cron: '* * * * * *'\nwithSeconds: true\nrecoverMissedSchedules: LAST\nallowConcurrent: true\ninputs:\n  when: \"{{ trigger.date }}\"",
      ),
    );
    const stub = triggersStub(env, t.tenantId);
    const dates: string[] = [];
    for (let jump = 0; jump < 28; jump++) {
      await stub.advanceClock(6 * HOUR);
      await alarm(t, true);
      const ctx = await context(t, "week");
      expect(ctx.date).not.toBeNull();
      dates.push(ctx.date ?? "");
    }
    expect(new Set(dates).size).toBe(28);
    for (const d of dates) expect(await exists(t, "week", d)).toBe(true);
    expect(await indexed(t, "week", 28)).toBe(28);
    const lastDate = dates.at(-1) ?? "";
    const last = await executionStub(env, t.tenantId, await idOf(t, "week", lastDate)).waitForEnd(10_000);
    expect(last?.trigger?.variables).toEqual({
      date: lastDate,
      next: new Date(Date.parse(lastDate) + 1000).toISOString(),
      previous: new Date(Date.parse(lastDate) - 1000).toISOString(),
    });
    expect(last?.inputs).toEqual({ when: lastDate });
    expect(last?.outputs ?? {}).toEqual({});
  }, 120_000);

  it("recovers a 10.5-hour gap by mode: ALL runs every missed tick, LAST the latest, NONE nothing until the next", async () => {
    const t = await frozenTenant();
    await saveFlow(t, flow("all", "cron: '0 * * * *'\nrecoverMissedSchedules: ALL\nallowConcurrent: true"));
    await saveFlow(t, flow("last", "cron: '0 * * * *'\nrecoverMissedSchedules: LAST\nallowConcurrent: true"));
    await saveFlow(t, flow("none", "cron: '0 * * * *'\nrecoverMissedSchedules: NONE\nallowConcurrent: true"));
    const stub = triggersStub(env, t.tenantId);
    const firstHour = Date.parse((await context(t, "all")).nextExecutionDate ?? "");
    const now = await stub.clock();
    await stub.advanceClock(firstHour + 10.5 * HOUR - now);
    await alarm(t, true);
    const hours = Array.from({ length: 11 }, (_, i) => new Date(firstHour + i * HOUR).toISOString());
    for (const h of hours) expect(await exists(t, "all", h)).toBe(true);
    expect(await indexed(t, "all", 11)).toBe(11);
    expect(await exists(t, "last", hours[10] ?? "")).toBe(true);
    expect(await indexed(t, "last", 1)).toBe(1);
    expect(await indexed(t, "none", 0)).toBe(0);
    // The next tick, on time, runs in every mode.
    await stub.advanceClock(HOUR / 2 + 1000);
    await alarm(t);
    const next = new Date(firstHour + 11 * HOUR).toISOString();
    for (const f of ["all", "last", "none"]) expect(await exists(t, f, next)).toBe(true);
    expect(await indexed(t, "none", 1)).toBe(1);
  }, 60_000);

  it("skips ticks older than lateMaximumDelay, and ticks whose conditions do not hold", async () => {
    const t = await frozenTenant();
    await saveFlow(
      t,
      flow("late", "cron: '0 * * * *'\nrecoverMissedSchedules: ALL\nlateMaximumDelay: PT2H30M\nallowConcurrent: true"),
    );
    await saveFlow(
      t,
      flow(
        "cond",
        "cron: '0 * * * *'\nconditions:\n  - type: io.kestra.plugin.core.condition.Expression\n    expression: \"{{ trigger.date | date('HH') == '00' }}\"",
      ),
    );
    const stub = triggersStub(env, t.tenantId);
    const firstHour = Date.parse((await context(t, "late")).nextExecutionDate ?? "");
    await stub.advanceClock(firstHour + 30 * HOUR + 60_000 - (await stub.clock()));
    await alarm(t);
    expect(await indexed(t, "late", 3)).toBe(3);
    // 31 hourly ticks, exactly one or two at midnight UTC.
    const midnights = Array.from({ length: 31 }, (_, i) => firstHour + i * HOUR).filter((h) => h % (24 * HOUR) === 0);
    expect(await indexed(t, "cond", midnights.length)).toBe(midnights.length);
  }, 60_000);

  it("keeps its tick across a flow update around it, and forgets a deleted flow's schedule", async () => {
    const t = await frozenTenant();
    await saveFlow(t, flow("upd", "cron: '* * * * * *'\nwithSeconds: true"));
    const stub = triggersStub(env, t.tenantId);
    const first = (await context(t, "upd")).nextExecutionDate ?? "";
    await stub.advanceClock(Date.parse(first) - (await stub.clock()) + 10);
    // Updated right at the tick (same cron, new task): the tick is neither lost nor doubled.
    const res = await t.fetch("flows/sched/upd", {
      method: "PUT",
      headers: { "Content-Type": "application/x-yaml" },
      body: flow("upd", "cron: '* * * * * *'\nwithSeconds: true").replace("{{ inputs.when }}", "v2"),
    });
    expect(res.status).toBe(200);
    await alarm(t, true);
    expect(await exists(t, "upd", first)).toBe(true);
    expect(await indexed(t, "upd", 1)).toBe(1);
    expect((await t.fetch("flows/sched/upd", { method: "DELETE" })).status).toBe(204);
    expect((await (await t.fetch("triggers/sched/upd")).json()) as { total: number }).toMatchObject({ total: 0 });
    await stub.advanceClock(5000);
    await alarm(t);
    expect(await indexed(t, "upd", 1)).toBe(1);
  }, 60_000);

  it("disables itself after an execution ends in a stopAfter state, and can be disabled through the API", async () => {
    const t = await frozenTenant();
    await saveFlow(t, flow("stop", "cron: '* * * * * *'\nwithSeconds: true\nstopAfter: [SUCCESS]"));
    const stub = triggersStub(env, t.tenantId);
    await stub.advanceClock(1500);
    await alarm(t);
    const ctx = await context(t, "stop");
    const ended = await executionStub(env, t.tenantId, await idOf(t, "stop", ctx.date ?? "")).waitForEnd(10_000);
    expect(ended?.state.current).toBe("SUCCESS");
    for (let i = 0; i < 50 && !(await context(t, "stop")).disabled; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await context(t, "stop")).disabled).toBe(true);
    await stub.advanceClock(5000);
    await alarm(t);
    expect(await indexed(t, "stop", 1)).toBe(1);
  }, 60_000);

  it("backfills a past period through the API with inputs and labels, pausable, with progress", async () => {
    const t = await frozenTenant();
    await saveFlow(t, flow("bf", "cron: '0 0 1 * *'"));
    const put = (body: unknown, path = "triggers", method = "PUT") =>
      t.fetch(path, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const target = { namespace: "sched", flowId: "bf", triggerId: "every" };
    const created = await put({
      ...target,
      backfill: {
        start: "2024-01-01T00:00:00Z",
        end: "2024-05-01T00:00:00Z",
        inputs: { when: "backfilled" },
        labels: [{ key: "kind", value: "bf" }],
      },
    });
    expect(created.status).toBe(200);
    await alarm(t);
    const ctx = await context(t, "bf");
    expect(ctx.backfill?.progress).toEqual({ done: 5, total: 5, finished: true });
    expect(await indexed(t, "bf", 5)).toBe(5);
    const res = await t.fetch("executions/search?flowId=bf&size=10");
    const found = (await res.json()) as { results: { id: string }[] };
    const one = await executionStub(env, t.tenantId, found.results[0]?.id ?? "").waitForEnd(10_000);
    expect(one?.inputs).toEqual({ when: "backfilled" });
    expect(one?.labels).toContainEqual({ key: "kind", value: "bf" });
    // Pause, resume and delete answer with the trigger's context.
    const again = await put({ ...target, backfill: { start: "2023-01-01T00:00:00Z", end: "2023-12-31T00:00:00Z" } });
    expect(again.status).toBe(200);
    expect((await put(target, "triggers/backfill/pause")).status).toBe(200);
    expect((await context(t, "bf")).backfill?.paused).toBe(true);
    expect((await put(target, "triggers/backfill/unpause")).status).toBe(200);
    expect((await put(target, "triggers/backfill/delete", "POST")).status).toBe(200);
    expect((await context(t, "bf")).backfill).toBeNull();
  }, 60_000);
});
