// scheduleDate on POST /executions/{namespace}/{flowId}: the execution is created at once and waits,
// CREATED with its scheduleDate, until that date (its object's alarm), then runs; a date that is
// not ISO-8601 is a 422 naming the field; a past date starts at once.
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { elapse, getExecution, saveFlow, settled } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";

const FLOW = `id: later
namespace: sched
tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: ran
`;

describe("scheduleDate", () => {
  it("waits CREATED until its date, then runs; a past date runs at once; a bad one is a 422", async () => {
    const t = await createTenant();
    await saveFlow(t, FLOW);
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const res = await t.fetch(`executions/sched/later?scheduleDate=${encodeURIComponent(at)}`, { method: "POST" });
    expect(res.status).toBe(200);
    const created = (await res.json()) as ExecutionJson;
    expect(created.scheduleDate).toBe(at);
    // Its alarm delivered a second later (clock moved by one second): still before the date.
    await elapse(t, created.id, 1_000);
    const waiting = await getExecution(t, created.id);
    expect(waiting.state.current).toBe("CREATED");
    expect(waiting.taskRunList).toHaveLength(0);
    await elapse(t, created.id, 3_600_000);
    const done = await settled(t, created.id, (e) => e.state.current === "SUCCESS");
    expect(done.taskRunList[0]?.outputs).toEqual({ value: "ran" });

    const past = new Date(Date.now() - 60_000).toISOString();
    const now = await t.fetch(`executions/sched/later?scheduleDate=${encodeURIComponent(past)}&wait=true`, {
      method: "POST",
    });
    expect(((await now.json()) as ExecutionJson).state.current).toBe("SUCCESS");

    const bad = await t.fetch("executions/sched/later?scheduleDate=tomorrow", { method: "POST" });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain("scheduleDate");
  });
});
