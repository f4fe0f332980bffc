// The tenant's start limits (launch/limits.ts) end to end: the running-executions limit and the
// creation rate answer 429 + Retry-After naming the limit, on the API and on a webhook alike;
// their settings; a place is freed when its execution ends; and the chain depth stops a flow that
// triggers itself and a Subflow that calls its own flow, with a FAILED execution saying why.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { tenantLimitsStub } from "../../worker/concurrency/tenant-limits";
import type { ExecutionJson } from "../../worker/execution/json";
import { executionStub } from "../../worker/execution/object";
import { logsOf, runFlow, saveFlow, settled, startFlow } from "../helpers/executions";
import { BASE, createTenant, type TestTenant } from "../helpers/tenant";
import { contextWhen, triggersObject } from "../helpers/triggers";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setLimits(t: TestTenant, limits: Record<string, unknown>): Promise<Response> {
  const current = (await (await t.fetch("settings/limits")).json()) as Record<string, unknown>;
  delete current.usage;
  return t.fetch("settings/limits", {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...current, ...limits }),
  });
}

const PAUSED = `id: held
namespace: lim
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: hook-key-1234
`;

const QUICK = `id: quick
namespace: lim
tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: ok
`;

interface LimitBody {
  code: string;
  message: string;
  details: { limit: string; max: number; retryAfterSeconds: number };
}

/** The flow's executions in the index, once there are `expected` of them (or the last count seen). */
async function executionsOf(t: TestTenant, flowId: string, expected: number): Promise<{ id: string }[]> {
  let results: { id: string }[] = [];
  for (let i = 0; i < 100; i++) {
    const res = await t.fetch(`executions/search?namespace=lim&flowId=${flowId}&size=200`);
    results = ((await res.json()) as { results: { id: string }[] }).results;
    if (results.length >= expected) return results;
    await sleep(100);
  }
  return results;
}

async function ended(t: TestTenant, ids: { id: string }[]): Promise<ExecutionJson[]> {
  const out: ExecutionJson[] = [];
  for (const { id } of ids) {
    const json = await executionStub(env, t.tenantId, id).waitForEnd(20_000);
    if (json) out.push(json);
  }
  return out;
}

describe("tenant limits", () => {
  it("has defaults, and refuses settings out of range with a 422 naming the field", async () => {
    const t = await createTenant();
    const res = await t.fetch("settings/limits");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      creationRate: { burst: 1000, perSecond: 400 },
      maxRunning: 1000,
      maxChainDepth: 16,
      usage: { running: 0 },
    });
    const bad = await setLimits(t, { maxRunning: 0 });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toContain("maxRunning");
  });

  it("refuses a start over maxRunning with 429, Retry-After and the limit named, on the API and a webhook", async () => {
    const t = await createTenant();
    await saveFlow(t, PAUSED);
    expect((await setLimits(t, { maxRunning: 2 })).status).toBe(200);
    const first = await startFlow(t, "lim", "held");
    await startFlow(t, "lim", "held");

    const refused = await t.fetch("executions/lim/held", { method: "POST" });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    const body = (await refused.json()) as LimitBody;
    expect(body.code).toBe("rate_limited");
    expect(body.details).toMatchObject({ limit: "maxRunning", max: 2 });
    expect(body.message).toContain("maxRunning");

    const hook = await exports.default.fetch(`${BASE}/api/v1/${t.tenantId}/executions/webhook/lim/held/hook-key-1234`, {
      method: "POST",
    });
    expect(hook.status).toBe(429);
    expect(((await hook.json()) as LimitBody).details.limit).toBe("maxRunning");

    // The end of an execution frees its place.
    expect((await t.fetch(`executions/${first.id}/kill`, { method: "DELETE" })).status).toBe(202);
    await settled(t, first.id, (ex) => ex.state.current === "KILLED");
    let usage = 2;
    for (let i = 0; i < 100 && usage !== 1; i++) {
      usage = (await tenantLimitsStub(env, t.tenantId).usage()).running;
      if (usage !== 1) await sleep(20);
    }
    expect(usage).toBe(1);
    expect((await t.fetch("executions/lim/held", { method: "POST" })).status).toBe(200);
  });

  it("refuses a start over the creation rate with 429 naming creationRate; another tenant is not affected", async () => {
    const t = await createTenant();
    const other = await createTenant();
    await saveFlow(t, QUICK);
    await saveFlow(other, QUICK);
    await setLimits(t, { creationRate: { burst: 3, perSecond: 0.001 } });
    for (let i = 0; i < 3; i++) expect((await runFlow(t, "lim", "quick")).state.current).toBe("SUCCESS");
    const refused = await t.fetch("executions/lim/quick", { method: "POST" });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as LimitBody).details.limit).toBe("creationRate");
    // Nothing was created for the refused start.
    expect(await executionsOf(t, "quick", 3)).toHaveLength(3);
    expect((await runFlow(other, "lim", "quick")).state.current).toBe("SUCCESS");
  });
});

async function usageIs(t: TestTenant, running: number): Promise<number> {
  let usage = -1;
  for (let i = 0; i < 100 && usage !== running; i++) {
    usage = (await tenantLimitsStub(env, t.tenantId).usage()).running;
    if (usage !== running) await sleep(20);
  }
  return usage;
}

describe("restart within the limits", () => {
  it("a restart takes a running place: over maxRunning it is a 429 and the execution stays as it was", async () => {
    const t = await createTenant();
    await saveFlow(t, PAUSED);
    await saveFlow(
      t,
      "id: failing\nnamespace: lim\ntasks:\n  - id: f\n    type: io.kestra.plugin.core.execution.Fail\n    errorMessage: no\n",
    );
    await setLimits(t, { maxRunning: 1 });
    const failed = await runFlow(t, "lim", "failing");
    expect(failed.state.current).toBe("FAILED");
    expect(await usageIs(t, 0)).toBe(0);
    const held = await startFlow(t, "lim", "held");

    const refused = await t.fetch(`executions/${failed.id}/restart`, { method: "POST" });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as LimitBody).details.limit).toBe("maxRunning");
    expect((await settled(t, failed.id, () => true)).state.current).toBe("FAILED");
    const bulk = await t.fetch("executions/restart/by-ids", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify([failed.id]),
    });
    expect(JSON.stringify(await bulk.json())).toContain("maxRunning");

    await t.fetch(`executions/${held.id}/kill`, { method: "DELETE" });
    expect(await usageIs(t, 0)).toBe(0);
    expect((await t.fetch(`executions/${failed.id}/restart`, { method: "POST" })).status).toBe(200);
    expect(
      (await settled(t, failed.id, (e) => e.state.current === "FAILED" && e.state.histories.length > 3)).state.current,
    ).toBe("FAILED");
  });
});

const SELF_TRIGGERED = (extra = "") => `id: loop
namespace: lim
${extra}tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: again
triggers:
  - id: again
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: lim
        flowId: loop
`;

describe("chain depth", () => {
  it("stops a flow that triggers itself at maxChainDepth, with one FAILED execution saying why", async () => {
    const t = await createTenant();
    await setLimits(t, { maxChainDepth: 3 });
    await saveFlow(t, SELF_TRIGGERED());
    await runFlow(t, "lim", "loop");
    // Depths 0..3 run; depth 4 is stored FAILED; its own end's firing (depth 5) is refused.
    const trigger = await contextWhen(t, "loop", (c) => (c.lastError ?? "").includes("maxChainDepth"), "lim");
    expect(trigger.lastError).toContain("5 executions deep");
    const all = await ended(t, await executionsOf(t, "loop", 5));
    expect(all).toHaveLength(5);
    const states = all.map((e) => e.state.current).sort();
    expect(states).toEqual(["FAILED", "SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS"]);
    const failed = all.find((e) => e.state.current === "FAILED")!;
    expect(failed.taskRunList).toHaveLength(0);
    const logs = await logsOf(t, failed.id);
    expect(logs.map((l) => l.message).join("\n")).toContain("4 executions deep");
    // One correlation id along the whole chain.
    const correlations = new Set(all.map((e) => e.labels.find((l) => l.key === "system.correlationId")?.value));
    expect(correlations.size).toBe(1);
    await runDurableObjectAlarm(triggersObject(t));
    expect(await executionsOf(t, "loop", 0)).toHaveLength(5);
  });

  it("stops Subflows that call each other: the deepest child FAILED with the reason, the root FAILED", async () => {
    const t = await createTenant();
    await setLimits(t, { maxChainDepth: 2 });
    const calling = (id: string, other: string) =>
      `id: ${id}\nnamespace: lim\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: lim\n    flowId: ${other}\n`;
    await saveFlow(t, calling("ping", "pong"));
    await saveFlow(t, calling("pong", "ping"));
    const root = await runFlow(t, "lim", "ping");
    expect(root.state.current).toBe("FAILED");
    // ping (0) → pong (1) → ping (2) → pong (3, refused).
    const all = await ended(t, [...(await executionsOf(t, "ping", 2)), ...(await executionsOf(t, "pong", 2))]);
    expect(all).toHaveLength(4);
    const refused = all.filter((e) => e.taskRunList.length === 0);
    expect(refused.map((e) => e.flowId)).toEqual(["pong"]);
    expect((await logsOf(t, refused[0]!.id)).map((l) => l.message).join("\n")).toContain("maxChainDepth");
    expect(all.every((e) => e.state.current === "FAILED")).toBe(true);
  });

  for (const how of ["disabled", "deleted"] as const) {
    it(`stops a self-triggering flow at once when it is ${how}`, async () => {
      const t = await createTenant();
      await setLimits(t, { maxChainDepth: 1000 });
      await saveFlow(t, SELF_TRIGGERED());
      await startFlow(t, "lim", "loop");
      const before = (await executionsOf(t, "loop", 3)).length;
      expect(before).toBeGreaterThanOrEqual(3);
      const res =
        how === "disabled"
          ? await t.fetch("flows/lim/loop", {
              method: "PUT",
              headers: { "Content-Type": "application/x-yaml" },
              body: SELF_TRIGGERED("disabled: true\n"),
            })
          : await t.fetch("flows/lim/loop", { method: "DELETE" });
      expect([200, 204]).toContain(res.status);
      // Every execution that exists ends, and the trigger object has nothing left to start.
      let count = 0;
      let stable = false;
      for (let round = 0; round < 20 && !stable; round++) {
        const ids = await executionsOf(t, "loop", 0);
        await ended(t, ids);
        await runDurableObjectAlarm(triggersObject(t));
        const again = (await executionsOf(t, "loop", 0)).length;
        stable = again === ids.length && again === count;
        count = again;
      }
      expect(stable).toBe(true);
      // The count taken before comes from the index, which trails the objects by a few: beyond
      // those, at most the start in flight when the flow changed, and the firing of its end.
      expect(count).toBeLessThanOrEqual(before + 6);
    });
  }
});
