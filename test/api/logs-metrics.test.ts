// DELETE /logs/{executionId} and ?attempt= on logs; the metric names, tasks and aggregates read
// from the D1 index. Each one answers only for the caller's tenant.
import { describe, expect, it } from "vitest";
import { runFlow, saveFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const FLOW = `id: talk
namespace: obs
tasks:
  - id: one
    type: io.kestra.plugin.core.log.Log
    message: first
  - id: two
    type: io.kestra.plugin.core.log.Log
    message: second
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: hello
`;

interface Line {
  taskId: string | null;
  message: string;
  attemptNumber: number | null;
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let v = await read();
  for (let i = 0; i < 80 && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 50));
    v = await read();
  }
  return v;
}

const lines = async (t: TestTenant, id: string, query = "") =>
  (await (await t.fetch(`logs/${id}${query}`)).json()) as Line[];
const indexedLines = async (t: TestTenant, query: string) =>
  ((await (await t.fetch(`logs/search?${query}&size=100`)).json()) as { total: number }).total;

describe("logs", () => {
  it("?attempt= keeps the lines of that attempt only", async () => {
    const t = await createTenant();
    await saveFlow(t, FLOW);
    const ex = await runFlow(t, "obs", "talk");
    const all = await lines(t, ex.id, "?taskId=one");
    expect(all.map((l) => l.message)).toEqual(["first"]);
    const attempt = all[0]!.attemptNumber!;
    expect((await lines(t, ex.id, `?taskId=one&attempt=${attempt}`)).map((l) => l.message)).toEqual(["first"]);
    expect(await lines(t, ex.id, `?taskId=one&attempt=${attempt + 1}`)).toEqual([]);
    expect((await t.fetch(`logs/${ex.id}?attempt=x`)).status).toBe(422);
  });

  it("DELETE /logs/{id} removes the lines a filter names, from the execution and the search", async () => {
    const t = await createTenant();
    await saveFlow(t, FLOW);
    const ex = await runFlow(t, "obs", "talk");
    await eventually(
      () => indexedLines(t, "flowId=talk"),
      (n) => n >= 2,
    );
    expect((await t.fetch(`logs/${ex.id}?taskId=one`, { method: "DELETE" })).status).toBe(204);
    const left = await lines(t, ex.id);
    expect(left.map((l) => l.message)).not.toContain("first");
    expect(left.map((l) => l.message)).toContain("second");
    expect(await indexedLines(t, "q=first")).toBe(0);
    expect(await indexedLines(t, "q=second")).toBe(1);
    expect((await t.fetch(`logs/${ex.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await lines(t, ex.id)).toEqual([]);
    expect(await indexedLines(t, "flowId=talk")).toBe(0);
  });

  it("DELETE /logs/{id} of another tenant's execution is a 404 and deletes nothing", async () => {
    const [a, b] = [await createTenant(), await createTenant()];
    await saveFlow(b, FLOW);
    const ex = await runFlow(b, "obs", "talk");
    expect((await a.fetch(`logs/${ex.id}`, { method: "DELETE" })).status).toBe(404);
    expect((await lines(b, ex.id)).length).toBeGreaterThan(0);
  });
});

describe("metrics names and aggregates", () => {
  it("lists names and tasks, and sums a metric per bucket; another tenant sees none", async () => {
    const t = await createTenant();
    await saveFlow(t, FLOW);
    await runFlow(t, "obs", "talk");
    await runFlow(t, "obs", "talk");
    const names = await eventually(
      async () => (await (await t.fetch("metrics/names/obs/talk")).json()) as string[],
      (n) => n.length === 2,
    );
    expect(names).toEqual(["duration", "length"]);
    expect(await (await t.fetch("metrics/names/obs/talk/ret")).json()).toEqual(["duration", "length"]);
    expect(await (await t.fetch("metrics/names/obs/talk/one")).json()).toEqual([]);
    expect(await (await t.fetch("metrics/tasks/obs/talk")).json()).toEqual(["ret"]);

    const sum = await eventually(
      async () =>
        (await (await t.fetch("metrics/aggregates/obs/talk/length")).json()) as {
          groupBy: string;
          aggregations: { name: string; date: string; value: number }[];
        },
      (s) => s.aggregations[0]?.value === 10,
    );
    expect(sum.groupBy).toBe("day");
    expect(sum.aggregations).toEqual([
      { name: "length", date: `${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`, value: 10 },
    ]);
    const max = (await (await t.fetch("metrics/aggregates/obs/talk/ret/length?aggregation=max")).json()) as typeof sum;
    expect(max.aggregations.map((a) => a.value)).toEqual([5]);
    const hours = (await (
      await t.fetch(`metrics/aggregates/obs/talk/length?startDate=${new Date(Date.now() - 3_600_000).toISOString()}`)
    ).json()) as typeof sum;
    expect(hours.groupBy).toBe("hour");
    expect((await t.fetch("metrics/aggregates/obs/talk/length?aggregation=median")).status).toBe(422);

    const other = await createTenant();
    expect(await (await other.fetch("metrics/names/obs/talk")).json()).toEqual([]);
    expect(
      ((await (await other.fetch("metrics/aggregates/obs/talk/length")).json()) as typeof sum).aggregations,
    ).toEqual([]);
  });
});
