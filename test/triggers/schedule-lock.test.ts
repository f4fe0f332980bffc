// The Schedule lock (Kestra: schedules do not overlap), driven by the scheduler's alarm and test
// clock: a trigger whose execution still runs starts nothing more and shows that execution's id;
// its end unlocks it and the ticks that fell meanwhile run per recoverMissedSchedules (ALL one
// after another, LAST only the latest); the unlock API clears a stuck lock, and the minute cron a
// lock whose execution is gone; allowConcurrent opts out.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { triggersStub } from "../../worker/triggers/object";
import { saveFlow, settled } from "../helpers/executions";
import type { TestTenant } from "../helpers/tenant";
import { alarm, context, contextWhen, frozenTenant, indexed } from "../helpers/triggers";

const MINUTE = 60_000;

/** Every minute; the execution waits at a Pause until the test resumes it. */
const paused = (id: string, extra: string) => `
id: ${id}
namespace: sched
tasks:
  - id: gate
    type: io.kestra.plugin.core.flow.Pause
  - id: done
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.date }}"
triggers:
  - id: every
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * *"
${extra
  .trim()
  .split("\n")
  .map((l) => `    ${l}`)
  .join("\n")}
`;

async function resume(t: TestTenant, id: string): Promise<void> {
  await settled(t, id, (e) => e.state.current === "PAUSED");
  const res = await t.fetch(`executions/${id}/resume`, { method: "POST" });
  expect(res.status).toBe(204);
}

/** The trigger.date each execution of the flow ran for, oldest first. */
async function datesOf(t: TestTenant, flowId: string): Promise<string[]> {
  const res = await t.fetch(`executions/search?flowId=${flowId}&size=50`);
  const body = (await res.json()) as { results: { trigger?: { variables?: { date?: string } } }[] };
  return body.results.map((r) => r.trigger?.variables?.date ?? "").sort();
}

describe("schedule lock", () => {
  it("starts nothing while its execution runs, then runs the missed ticks one after another (ALL) or the latest (LAST)", async () => {
    // 10:00:00.250: the first tick is 10:01.
    const t = await frozenTenant();
    await saveFlow(t, paused("all", "recoverMissedSchedules: ALL"));
    await saveFlow(t, paused("last", "recoverMissedSchedules: LAST"));
    const stub = triggersStub(env, t.tenantId);
    await stub.advanceClock(MINUTE);
    await alarm(t);
    const first = { all: await context(t, "all"), last: await context(t, "last") };
    expect(first.all.executionId).not.toBeNull();
    expect(first.all.date).toBe("2025-03-03T10:01:00.000Z");
    expect(first.last.executionId).not.toBeNull();

    // 10:03:00.250: the ticks of 10:02 and 10:03 fall while both are locked.
    await stub.advanceClock(2 * MINUTE);
    await alarm(t, true);
    expect(await indexed(t, "all", 1)).toBe(1);
    expect(await indexed(t, "last", 1)).toBe(1);
    const locked = await context(t, "all");
    expect(locked.executionId).toBe(first.all.executionId);
    expect(locked.nextExecutionDate).toBe("2025-03-03T10:02:00.000Z");

    // The ends unlock them: ALL starts 10:02 (and locks again), LAST starts 10:03 only.
    await resume(t, first.all.executionId ?? "");
    await resume(t, first.last.executionId ?? "");
    const second = await contextWhen(t, "all", (c) => c.executionId !== first.all.executionId);
    expect(second.date).toBe("2025-03-03T10:02:00.000Z");
    const latest = await contextWhen(t, "last", (c) => c.executionId !== first.last.executionId);
    expect(latest.date).toBe("2025-03-03T10:03:00.000Z");
    await resume(t, second.executionId ?? "");
    const third = await contextWhen(t, "all", (c) => c.executionId !== second.executionId);
    expect(third.date).toBe("2025-03-03T10:03:00.000Z");
    expect(await indexed(t, "all", 3)).toBe(3);
    expect(await indexed(t, "last", 2)).toBe(2);
    expect(await datesOf(t, "all")).toEqual([
      "2025-03-03T10:01:00.000Z",
      "2025-03-03T10:02:00.000Z",
      "2025-03-03T10:03:00.000Z",
    ]);
    expect(await datesOf(t, "last")).toEqual(["2025-03-03T10:01:00.000Z", "2025-03-03T10:03:00.000Z"]);
  }, 60_000);

  it("is unlocked by the unlock API while its execution is stuck, and starts the next tick", async () => {
    const t = await frozenTenant();
    await saveFlow(t, paused("stuck", "recoverMissedSchedules: ALL"));
    const stub = triggersStub(env, t.tenantId);
    await stub.advanceClock(MINUTE);
    await alarm(t);
    const stuck = (await context(t, "stuck")).executionId;
    expect(stuck).not.toBeNull();
    await stub.advanceClock(MINUTE);
    await alarm(t);
    expect(await indexed(t, "stuck", 1)).toBe(1);

    const res = await t.fetch("triggers/sched/stuck/every/unlock", { method: "POST" });
    expect(res.status).toBe(200);
    // The 10:02 tick fell while locked: the unlock hands it on at once, and it locks again.
    const after = (await res.json()) as { executionId: string | null; date: string | null };
    expect(after.date).toBe("2025-03-03T10:02:00.000Z");
    expect(after.executionId).not.toBe(stuck);
    expect(await indexed(t, "stuck", 2)).toBe(2);
    // The stuck execution's end, much later, no longer touches the lock it lost.
    await resume(t, stuck ?? "");
    await settled(t, stuck ?? "", (e) => e.state.current === "SUCCESS");
    expect((await context(t, "stuck")).executionId).toBe(after.executionId);
    expect(await (await t.fetch("triggers/sched/unknown/every/unlock", { method: "POST" })).status).toBe(404);
  }, 60_000);

  it("releases, on the minute cron's pass, a lock whose execution was deleted without ending", async () => {
    const t = await frozenTenant();
    await saveFlow(t, paused("gone", "recoverMissedSchedules: LAST"));
    const stub = triggersStub(env, t.tenantId);
    await stub.advanceClock(MINUTE);
    await alarm(t);
    const held = (await context(t, "gone")).executionId;
    await settled(t, held ?? "", (e) => e.state.current === "PAUSED");
    // A running execution keeps its lock through the cron's pass.
    await stub.rearm(t.tenantId);
    expect((await context(t, "gone")).executionId).toBe(held);
    expect((await t.fetch(`executions/${held}`, { method: "DELETE" })).status).toBe(204);
    await stub.advanceClock(MINUTE);
    await alarm(t);
    expect((await context(t, "gone")).executionId).toBe(held);
    await stub.rearm(t.tenantId);
    const after = await context(t, "gone");
    expect(after.executionId).not.toBe(held);
    expect(after.date).toBe("2025-03-03T10:02:00.000Z");
    // The new one is listed; the deleted one no longer is.
    await settled(t, after.executionId ?? "", (e) => e.state.current === "PAUSED");
    expect(await indexed(t, "gone", 1)).toBe(1);
  }, 60_000);

  it("starts every tick while earlier executions still run when allowConcurrent is set", async () => {
    const t = await frozenTenant();
    await saveFlow(t, paused("free", "allowConcurrent: true"));
    const stub = triggersStub(env, t.tenantId);
    for (let i = 0; i < 3; i++) {
      await stub.advanceClock(MINUTE);
      await alarm(t);
    }
    expect(await indexed(t, "free", 3)).toBe(3);
  }, 60_000);
});
