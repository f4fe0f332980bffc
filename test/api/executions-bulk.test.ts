// Bulk execution actions by ids and by query: each execution reported on its own, the count of
// those that succeeded, no filter refused, and never another tenant's executions.
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { getExecution, runFlow, saveFlow, settled, startFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const SLEEPER = `id: sleeper\nnamespace: bulk\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n`;
const QUICK = `id: quick\nnamespace: bulk\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;
const BROKEN = `id: broken\nnamespace: bulk\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.execution.Fail\n`;

interface Bulk {
  count: number;
  results: { id: string; ok: boolean; status: number; message?: string; executionId?: string }[];
}

const send = async (t: TestTenant, path: string, method: string, body?: unknown): Promise<[number, Bulk]> => {
  const res = await t.fetch(path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return [res.status, (await res.json()) as Bulk];
};

async function indexed(t: TestTenant, query: string, expected: number): Promise<ExecutionJson[]> {
  let body = { results: [] as ExecutionJson[], total: -1 };
  for (let i = 0; i < 60 && body.total !== expected; i++) {
    body = (await (await t.fetch(`executions/search?${query}&size=100`)).json()) as typeof body;
    if (body.total !== expected) await new Promise((r) => setTimeout(r, 50));
  }
  expect(body.total).toBe(expected);
  return body.results;
}

const statusOf = (bulk: Bulk) => Object.fromEntries(bulk.results.map((r) => [r.id, r.status]));

describe("kill", () => {
  it("by ids: kills the running ones and says why each other one was not", async () => {
    const t = await createTenant();
    await saveFlow(t, SLEEPER);
    await saveFlow(t, QUICK);
    const [a, b] = [await startFlow(t, "bulk", "sleeper"), await startFlow(t, "bulk", "sleeper")];
    const done = await runFlow(t, "bulk", "quick");
    const [status, bulk] = await send(t, "executions/kill/by-ids", "DELETE", [a.id, b.id, done.id, "nope"]);
    expect(status).toBe(200);
    expect(bulk.count).toBe(2);
    expect(statusOf(bulk)).toEqual({ [a.id]: 200, [b.id]: 200, [done.id]: 409, nope: 404 });
    for (const id of [a.id, b.id])
      expect((await settled(t, id, (e) => e.state.current === "KILLED")).state.current).toBe("KILLED");
  });

  it("by query: only what the filter matches; an empty query is refused and kills nothing", async () => {
    const t = await createTenant();
    await saveFlow(t, SLEEPER);
    await saveFlow(t, SLEEPER.replace("id: sleeper", "id: other"));
    const target = await startFlow(t, "bulk", "sleeper");
    const spared = await startFlow(t, "bulk", "other");
    await indexed(t, "namespace=bulk", 2);
    const [refused] = await send(t, "executions/kill/by-query", "DELETE");
    expect(refused).toBe(422);
    expect((await send(t, "executions/kill/by-query?q=&namespace=", "DELETE"))[0]).toBe(422);
    const [status, bulk] = await send(t, "executions/kill/by-query?flowId=sleeper", "DELETE");
    expect(status).toBe(200);
    expect(statusOf(bulk)).toEqual({ [target.id]: 200 });
    expect((await getExecution(t, spared.id)).state.current).toBe("RUNNING");
    await t.fetch(`executions/${spared.id}/kill`, { method: "DELETE" });
  });

  it("never touches another tenant's executions, by ids or by query", async () => {
    const [a, b] = [await createTenant(), await createTenant()];
    await saveFlow(b, SLEEPER);
    const theirs = await startFlow(b, "bulk", "sleeper");
    await indexed(b, "flowId=sleeper", 1);
    const [, byIds] = await send(a, "executions/kill/by-ids", "DELETE", [theirs.id]);
    expect(statusOf(byIds)).toEqual({ [theirs.id]: 404 });
    const [, byQuery] = await send(a, "executions/kill/by-query?flowId=sleeper", "DELETE");
    expect(byQuery).toEqual({ count: 0, results: [] });
    expect((await getExecution(b, theirs.id)).state.current).toBe("RUNNING");
    await b.fetch(`executions/${theirs.id}/kill`, { method: "DELETE" });
  });
});

describe("restart, replay, delete and labels", () => {
  it("restart by ids: a failed execution restarts, a successful one answers Kestra's 422", async () => {
    const t = await createTenant();
    await saveFlow(t, BROKEN);
    await saveFlow(t, QUICK);
    const failed = await runFlow(t, "bulk", "broken");
    const ok = await runFlow(t, "bulk", "quick");
    const [, bulk] = await send(t, "executions/restart/by-ids", "POST", [failed.id, ok.id]);
    expect(statusOf(bulk)).toEqual({ [failed.id]: 200, [ok.id]: 422 });
    expect(bulk.results.find((r) => r.id === ok.id)?.message).toBe("No task found to restart execution from!");
    const restarted = await settled(
      t,
      failed.id,
      (e) => e.metadata.attemptNumber === 2 && e.state.current === "FAILED",
    );
    expect(restarted.metadata.attemptNumber).toBe(2);
  });

  it("replay by query: a new execution per match, each with parentId", async () => {
    const t = await createTenant();
    await saveFlow(t, QUICK);
    const first = await runFlow(t, "bulk", "quick");
    await indexed(t, "flowId=quick", 1);
    const [status, bulk] = await send(t, "executions/replay/by-query?flowId=quick", "POST");
    expect(status).toBe(200);
    expect(bulk.count).toBe(1);
    const replayed = await settled(t, bulk.results[0]!.executionId!, (e) => e.state.current === "SUCCESS");
    expect(replayed.parentId).toBe(first.id);
  });

  it("delete by ids hides them from searches; labels by ids and by query set labels on each", async () => {
    const t = await createTenant();
    await saveFlow(t, QUICK);
    const [x, y, z] = [
      await runFlow(t, "bulk", "quick"),
      await runFlow(t, "bulk", "quick"),
      await runFlow(t, "bulk", "quick"),
    ];
    await indexed(t, "flowId=quick", 3);
    const [, labelled] = await send(t, "executions/labels/by-ids", "POST", {
      executionsId: [x.id, y.id],
      executionLabels: [{ key: "batch", value: "one" }],
    });
    expect(labelled.count).toBe(2);
    expect((await getExecution(t, x.id)).labels).toContainEqual({ key: "batch", value: "one" });
    await indexed(t, "labels=batch:one", 2);
    const [, byQuery] = await send(t, "executions/labels/by-query?labels=batch:one", "POST", [
      { key: "seen", value: "yes" },
    ]);
    expect(byQuery.count).toBe(2);
    expect((await getExecution(t, y.id)).labels).toContainEqual({ key: "seen", value: "yes" });
    expect((await send(t, "executions/labels/by-query", "POST", [{ key: "all", value: "no" }]))[0]).toBe(422);

    const [, deleted] = await send(t, "executions/by-ids", "DELETE", [x.id, "ghost"]);
    expect(statusOf(deleted)).toEqual({ [x.id]: 204, ghost: 404 });
    const left = await indexed(t, "flowId=quick", 2);
    expect(left.map((e) => e.id).sort()).toEqual([y.id, z.id].sort());
    const [, byQueryDeleted] = await send(t, "executions/by-query?labels=seen:yes", "DELETE");
    expect(byQueryDeleted.count).toBe(1);
    await indexed(t, "flowId=quick", 1);
  });
});
