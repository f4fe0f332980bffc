// The execution object's SQLite writes a turn's task runs, outbox keys and metrics as one statement
// each: what those statements store must read back exactly, in order, after the object restarts,
// and the outbox must still keep a key that changed again while a drain was in flight.
import { abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ExecutionStore } from "../../worker/execution/store";
import { executionDurableObject, getExecution, runFlow, saveFlow } from "../helpers/executions";
import { indexNow } from "../helpers/leaks";
import { createTenant } from "../helpers/tenant";

const returns = (n: number) =>
  [
    "id: many",
    "namespace: qa",
    "tasks:",
    ...Array.from({ length: n }, (_, i) => [
      `  - id: r${i}`,
      "    type: io.kestra.plugin.core.debug.Return",
      `    format: "value \\"{{ ${i} }}\\" é ✓"`,
    ]).flat(),
    "",
  ].join("\n");

describe("execution store", () => {
  it("reads back a turn's batched task runs and metrics in order, with their exact text, after a restart", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, returns(40));
    const ran = await runFlow(tenant, "qa", "many");
    expect(ran.state.current).toBe("SUCCESS");
    await abortAllDurableObjects();

    const stored = await runInDurableObject(executionDurableObject(tenant, ran.id), (_o, state) => {
      const store = new ExecutionStore(state.storage);
      return { state: store.load(), metrics: store.metrics() };
    });
    expect(stored.state?.taskRuns.map((r) => r.taskId)).toEqual(Array.from({ length: 40 }, (_, i) => `r${i}`));
    const api = (await getExecution(tenant, ran.id)).taskRunList;
    expect(stored.state?.taskRuns.map((r) => [r.id, r.state.histories])).toEqual(
      api.map((r) => [r.id, r.state.histories]),
    );
    expect(stored.state?.taskRuns.map((r) => r.outputs?.value)).toEqual(
      Array.from({ length: 40 }, (_, i) => `value "${i}" é ✓`),
    );
    // Return records two metrics per run; their sequence numbers follow each other from 0.
    expect(stored.metrics.map((m) => m.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i));
    expect(stored.metrics.filter((m) => m.name === "length").map((m) => m.value)).toEqual(
      Array.from({ length: 40 }, (_, i) => `value "${i}" é ✓`.length),
    );

    await indexNow(tenant, ran.id);
    const d1 = await env.DB.prepare("SELECT COUNT(*) AS n FROM metrics WHERE tenant_id = ? AND execution_id = ?")
      .bind(tenant.tenantId, ran.id)
      .first<{ n: number }>();
    expect(d1?.n).toBe(80);
  });

  it("stores a turn that creates 10,000 loop children at once (over SQLite's limit for one bound string) and reads them back in order", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: wide
namespace: qa
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ range(1, 10000) }}"
    concurrencyLimit: 0
    tasks:
      - id: item
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
`,
    );
    const ran = await runFlow(tenant, "qa", "wide");
    expect(ran.state.current).toBe("SUCCESS");
    await abortAllDurableObjects();
    const stored = await runInDurableObject(executionDurableObject(tenant, ran.id), (_o, state) => {
      const runs = new ExecutionStore(state.storage).load()?.taskRuns ?? [];
      return { values: runs.filter((r) => r.taskId === "item").map((r) => r.outputs?.value) };
    });
    expect(stored.values).toEqual(Array.from({ length: 10_000 }, (_, i) => String(i + 1)));
  }, 120_000);

  it("keeps an outbox key that was written again after the drain read it, and forgets the rest", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, returns(3));
    const ran = await runFlow(tenant, "qa", "many");
    await indexNow(tenant, ran.id);
    const left = await runInDurableObject(executionDurableObject(tenant, ran.id), (_o, state) => {
      const store = new ExecutionStore(state.storage);
      const runs = store.load()!.taskRuns;
      store.saveTaskRuns(runs);
      const read = store.pendingOutbox(100);
      store.saveTaskRuns([runs[1]!]);
      store.acknowledge(read);
      return store.pendingOutbox(100).map((e) => e.key);
    });
    expect(left).toEqual([`taskrun:${ran.taskRunList[1]!.id}`]);
  });
});
