// Window groups of Flow triggers: the deprecated MultipleCondition (both package spellings) fires
// once when its named conditions are all met within its window, then resets; upstream ends on
// either side of a window boundary start nothing. Daily windows and midnights are read in the
// trigger's `timezone` (our extension), tested across the Paris DST change of 2026-03-29.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { executionStub } from "../../worker/execution/object";
import { triggersStub } from "../../worker/triggers/object";
import { runFlow, saveFlow } from "../helpers/executions";
import type { TestTenant } from "../helpers/tenant";
import { frozenTenant, indexed } from "../helpers/triggers";

const upstream = (id: string) => `
id: ${id}
namespace: chain
tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: ${id}
`;

const downstream = (id: string, trigger: string) => `
id: ${id}
namespace: chain
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.flowId }}"
triggers:
  - id: when
    type: io.kestra.plugin.core.trigger.Flow
${trigger
  .trim()
  .split("\n")
  .map((l) => `    ${l}`)
  .join("\n")}
`;

const MULTIPLE = `
conditions:
  - type: io.kestra.core.models.conditions.types.ExecutionStatusCondition
    in: [SUCCESS]
  - id: both
    type: io.kestra.core.models.conditions.types.MultipleCondition
    window: P1D
    windowAdvance: P0D
    conditions:
      flow-x:
        type: io.kestra.core.models.conditions.types.ExecutionFlowCondition
        namespace: chain
        flowId: x
      flow-y:
        type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: chain
        flowId: y
`;

let seq = 0;

/** Delivers the end of a made-up upstream execution at the object's current clock; returns the firings. */
async function ends(t: TestTenant, flowId: string, at: string, state = "SUCCESS"): Promise<number> {
  const stub = triggersStub(env, t.tenantId);
  await stub.advanceClock(Date.parse(at) - (await stub.clock()));
  return stub.executionEnded(t.tenantId, {
    id: `up-${flowId}-${seq++}`,
    namespace: "chain",
    flowId,
    flowRevision: 1,
    state,
    labels: [],
  });
}

async function firstOf(t: TestTenant, flowId: string): Promise<ExecutionJson | undefined> {
  const res = await t.fetch(`executions/search?namespace=chain&flowId=${flowId}&size=1`);
  const [row] = ((await res.json()) as { results: { id: string }[] }).results;
  return row ? ((await executionStub(env, t.tenantId, row.id).waitForEnd(10_000)) ?? undefined) : undefined;
}

describe("MultipleCondition", () => {
  it("starts one execution when both upstream flows succeed within the window, with the completing end as trigger", async () => {
    const t = await frozenTenant("2025-03-03T10:00:00Z");
    for (const f of [upstream("x"), upstream("y"), downstream("both", MULTIPLE)]) await saveFlow(t, f);
    await runFlow(t, "chain", "x");
    await runFlow(t, "chain", "x");
    await runFlow(t, "chain", "y");
    expect(await indexed(t, "both", 1)).toBe(1);
    expect((await firstOf(t, "both"))?.trigger?.variables).toMatchObject({ flowId: "y", state: "SUCCESS" });
  }, 60_000);

  it("starts nothing when the two ends fall in different windows, ignores ends its other conditions refuse, and resets after firing", async () => {
    const t = await frozenTenant("2025-03-03T00:00:00Z");
    await saveFlow(t, downstream("both", MULTIPLE));
    expect(await ends(t, "x", "2025-03-03T23:00:00Z")).toBe(0);
    // The next day is the next P1D window: x's match is gone.
    expect(await ends(t, "y", "2025-03-04T01:00:00Z")).toBe(0);
    // A failed x does not count (ExecutionStatus in SUCCESS).
    expect(await ends(t, "x", "2025-03-04T02:00:00Z", "FAILED")).toBe(0);
    expect(await ends(t, "x", "2025-03-04T03:00:00Z")).toBe(1);
    // Reset on success: y alone is not enough again.
    expect(await ends(t, "y", "2025-03-04T04:00:00Z")).toBe(0);
    expect(await indexed(t, "both", 1)).toBe(1);
  }, 60_000);

  it("honours the newer timeWindow spelling with a sliding window", async () => {
    const t = await frozenTenant("2025-03-03T00:00:00Z");
    const sliding = `
conditions:
  - id: pair
    type: io.kestra.plugin.core.condition.MultipleCondition
    timeWindow:
      type: SLIDING_WINDOW
      window: PT1H
    conditions:
      x:
        type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: chain
        flowId: x
      y:
        type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: chain
        flowId: y
`;
    await saveFlow(t, downstream("pair", sliding));
    expect(await ends(t, "x", "2025-03-03T10:00:00Z")).toBe(0);
    expect(await ends(t, "y", "2025-03-03T11:30:00Z")).toBe(0);
    expect(await ends(t, "x", "2025-03-03T12:00:00Z")).toBe(1);
  }, 60_000);

  it("refuses a MultipleCondition without named conditions or with a bad window when the flow is saved", async () => {
    const t = await frozenTenant();
    const bad = downstream(
      "bad",
      "conditions:\n  - type: io.kestra.plugin.core.condition.MultipleCondition\n    window: P1M\n    conditions: {}",
    );
    const res = await t.fetch("flows", {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: bad,
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { details: { path: string }[] };
    expect(body.details.map((d) => d.path)).toEqual(
      expect.arrayContaining(["triggers[0].conditions[0].window", "triggers[0].conditions[0].conditions"]),
    );
  }, 30_000);
});

describe("time windows in the trigger's time zone", () => {
  const PRE = (timeWindow: string) => `
timezone: Europe/Paris
preconditions:
  id: xy
  timeWindow:
${timeWindow
  .trim()
  .split("\n")
  .map((l) => `    ${l}`)
  .join("\n")}
  flows:
    - namespace: chain
      flowId: x
    - namespace: chain
      flowId: y
`;

  it("keeps a DAILY_TIME_WINDOW at 09:00–10:00 Paris time on both sides of the DST change", async () => {
    const t = await frozenTenant("2026-03-27T00:00:00Z");
    await saveFlow(t, downstream("daily", PRE("type: DAILY_TIME_WINDOW\nstartTime: '09:00:00'\nendTime: '10:00:00'")));
    // Saturday 28 (UTC+1): 09:10 and 09:50 local.
    expect(await ends(t, "x", "2026-03-28T08:10:00Z")).toBe(0);
    expect(await ends(t, "y", "2026-03-28T08:50:00Z")).toBe(1);
    // Sunday 29 (UTC+2 since 02:00): 09:10 and 09:50 local are 07:10 and 07:50 UTC.
    expect(await ends(t, "x", "2026-03-29T07:10:00Z")).toBe(0);
    expect(await ends(t, "y", "2026-03-29T07:50:00Z")).toBe(1);
    // 10:10 and 10:20 local (08:10, 08:20 UTC, inside the UTC reading of the window) do not count.
    expect(await ends(t, "x", "2026-03-29T08:10:00Z")).toBe(0);
    expect(await ends(t, "y", "2026-03-29T08:20:00Z")).toBe(0);
    expect(await indexed(t, "daily", 2)).toBe(2);
  }, 60_000);

  it("lays a one-day DURATION_WINDOW from the Paris midnight, on the 23-hour day of the change", async () => {
    const t = await frozenTenant("2026-03-27T00:00:00Z");
    await saveFlow(t, downstream("day", PRE("type: DURATION_WINDOW\nwindow: P1D")));
    // 00:30 and 23:30 local on Sunday 29 are two UTC days (28T23:30Z, 29T21:30Z) but one Paris day.
    expect(await ends(t, "x", "2026-03-28T23:30:00Z")).toBe(0);
    expect(await ends(t, "y", "2026-03-29T21:30:00Z")).toBe(1);
    // 23:30 local on the 29th, then 00:30 local on the 30th: two Paris days.
    expect(await ends(t, "x", "2026-03-29T21:45:00Z")).toBe(0);
    expect(await ends(t, "y", "2026-03-29T22:30:00Z")).toBe(0);
    expect(await indexed(t, "day", 1)).toBe(1);
  }, 60_000);

  it("refuses an unknown time zone when the flow is saved", async () => {
    const t = await frozenTenant();
    const bad = downstream("tz", "timezone: Mars/Olympus\nstates: [SUCCESS]");
    const res = await t.fetch("flows", {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: bad,
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toContain("triggers[0].timezone");
  }, 30_000);
});
