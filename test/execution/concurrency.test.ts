// Flow concurrency (spec §3.6): one coordinator Durable Object per flow hands out slots, so a
// burst never exceeds the limit, queued executions go CREATED → QUEUED → RUNNING, and no slot
// leaks when executions are killed.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { getExecution, saveFlow, startFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

function slots(tenant: TestTenant, flowId: string) {
  const stub = env.FLOW_CONCURRENCY.get(env.FLOW_CONCURRENCY.idFromName(`${tenant.tenantId}:qa:${flowId}`));
  return stub.stats() as Promise<{ running: number; queued: number; highWater: number }>;
}

async function allTerminal(tenant: TestTenant, ids: string[]): Promise<ExecutionJson[]> {
  const terminal = ["SUCCESS", "FAILED", "KILLED", "CANCELLED", "WARNING"];
  for (let round = 0; round < 300; round++) {
    const all = await Promise.all(ids.map((id) => getExecution(tenant, id)));
    if (all.every((e) => terminal.includes(e.state.current))) return all;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("not every execution ended");
}

describe("flow concurrency", () => {
  it("never runs more than the limit under 200 simultaneous starts, and every execution ends", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: limited\nnamespace: qa\nconcurrency:\n  limit: 2\ntasks:\n  - id: work\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ execution.id }}"\n`,
    );
    const started = await Promise.all(Array.from({ length: 200 }, () => startFlow(tenant, "qa", "limited")));
    const ended = await allTerminal(
      tenant,
      started.map((e) => e.id),
    );
    expect(ended.every((e) => e.state.current === "SUCCESS")).toBe(true);
    const stats = await slots(tenant, "limited");
    expect(stats.highWater).toBe(2);
    expect(stats).toMatchObject({ running: 0, queued: 0 });
    const queued = ended.filter((e) => e.state.histories.some((h) => h.state === "QUEUED"));
    expect(queued.length).toBeGreaterThan(0);
    expect(queued[0]!.state.histories.map((h) => h.state)).toEqual(["CREATED", "QUEUED", "RUNNING", "SUCCESS"]);
    // Overlap from the executions' own records: at no instant were more than 2 RUNNING.
    const edges = ended.flatMap((e) => {
      const start = e.state.histories.find((h) => h.state === "RUNNING")!.date;
      return [
        { t: Date.parse(start), d: 1 },
        { t: Date.parse(e.state.endDate!), d: -1 },
      ];
    });
    edges.sort((a, b) => a.t - b.t || a.d - b.d);
    let live = 0;
    let peak = 0;
    for (const edge of edges) {
      live += edge.d;
      peak = Math.max(peak, live);
    }
    expect(peak).toBeLessThanOrEqual(2);
  }, 180_000);

  it("CANCEL and FAIL end the executions over the limit at once", async () => {
    const tenant = await createTenant();
    const flow = (id: string, behavior: string) =>
      `id: ${id}\nnamespace: qa\nconcurrency:\n  limit: 1\n  behavior: ${behavior}\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n`;
    await saveFlow(tenant, flow("cancelling", "CANCEL"));
    await saveFlow(tenant, flow("failing", "FAIL"));
    const first = await startFlow(tenant, "qa", "cancelling");
    const second = await startFlow(tenant, "qa", "cancelling");
    expect((await getExecution(tenant, second.id)).state.current).toBe("CANCELLED");
    expect((await getExecution(tenant, first.id)).state.current).toBe("RUNNING");
    await startFlow(tenant, "qa", "failing");
    const refused = await startFlow(tenant, "qa", "failing");
    expect((await getExecution(tenant, refused.id)).state.current).toBe("FAILED");
  });

  it("frees the slot of a killed execution (running or queued) and starts the next one", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: held\nnamespace: qa\nconcurrency:\n  limit: 1\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n`,
    );
    const a = await startFlow(tenant, "qa", "held");
    const b = await startFlow(tenant, "qa", "held");
    const c = await startFlow(tenant, "qa", "held");
    expect((await getExecution(tenant, b.id)).state.current).toBe("QUEUED");
    expect((await tenant.fetch(`executions/${b.id}/kill`, { method: "DELETE" })).status).toBe(202);
    expect((await tenant.fetch(`executions/${a.id}/kill`, { method: "DELETE" })).status).toBe(202);
    let cState = "";
    for (let i = 0; i < 100 && cState !== "RUNNING"; i++) {
      await runDurableObjectAlarm(env.EXECUTIONS.get(env.EXECUTIONS.idFromName(`${tenant.tenantId}:${a.id}`)));
      cState = (await getExecution(tenant, c.id)).state.current;
      if (cState !== "RUNNING") await new Promise((r) => setTimeout(r, 20));
    }
    expect(cState).toBe("RUNNING");
    expect(await slots(tenant, "held")).toMatchObject({ running: 1, queued: 0 });
  });
});
