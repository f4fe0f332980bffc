// Task-run lookups: by id and within an execution, read from the execution's object (current even
// before the index is drained), a loop parent's children in iteration order and paged, and the
// index search's filters and sort by duration, each shown to select what it names.
import { describe, expect, it } from "vitest";
import type { TaskRunJson } from "../../worker/execution/json";
import type { TaskRunViewJson } from "../../worker/execution/taskrun-lookup";
import { runFlow, saveFlow, settled, startFlow } from "../helpers/executions";
import { indexNow } from "../helpers/leaks";
import { createTenant, type TestTenant } from "../helpers/tenant";

const P = "io.kestra.plugin.core";

const loop = `id: loop
namespace: qa.runs
tasks:
  - id: each
    type: ${P}.flow.ForEach
    values: ["a", "b", "c"]
    concurrencyLimit: 0
    tasks:
      - id: first
        type: ${P}.debug.Return
        format: "1-{{ taskrun.value }}"
      - id: second
        type: ${P}.debug.Return
        format: "2-{{ taskrun.value }}"
`;

const gated = `id: gated
namespace: qa.runs
tasks:
  - id: before
    type: ${P}.debug.Return
    format: done
  - id: gate
    type: ${P}.flow.Pause
`;

async function json<T>(tenant: TestTenant, path: string, status = 200): Promise<T> {
  const res = await tenant.fetch(path);
  const body = await res.text();
  expect(res.status, body).toBe(status);
  return JSON.parse(body) as T;
}

type Page = { results: TaskRunViewJson[]; total: number };
type SearchPage = { results: TaskRunJson[]; total: number };

describe("GET taskruns/{taskRunId}", () => {
  it("reads the task run from its execution's object, with the execution's state and whether it is final", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, gated);
    const started = await startFlow(tenant, "qa.runs", "gated");
    const paused = await settled(tenant, started.id, (e) => e.state.current === "PAUSED");
    const before = paused.taskRunList.find((t) => t.taskId === "before")!;
    const gate = paused.taskRunList.find((t) => t.taskId === "gate")!;
    // With executionId, no index lookup: current even before the drain.
    const view = await json<TaskRunViewJson>(tenant, `taskruns/${before.id}?executionId=${started.id}`);
    expect(view).toMatchObject({ id: before.id, taskId: "before", outputs: { value: "done" } });
    expect(view).toMatchObject({ executionState: "PAUSED", final: true });
    const open = await json<TaskRunViewJson>(tenant, `taskruns/${gate.id}?executionId=${started.id}`);
    expect(open).toMatchObject({ executionState: "PAUSED", final: false });
    // Without it, the index tells which execution; the object answers.
    await indexNow(tenant, started.id);
    expect(await json<TaskRunViewJson>(tenant, `taskruns/${before.id}`)).toMatchObject({ id: before.id, final: true });
  });

  it("answers 404 for an unknown task run, a wrong execution, and another tenant's task run", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    await saveFlow(tenant, gated);
    const ex = await startFlow(tenant, "qa.runs", "gated");
    const paused = await settled(tenant, ex.id, (e) => e.state.current === "PAUSED");
    await indexNow(tenant, ex.id);
    const id = paused.taskRunList[0]!.id;
    expect((await json<{ code: string }>(tenant, "taskruns/nope", 404)).code).toBe("not_found");
    await json(tenant, `taskruns/nope?executionId=${ex.id}`, 404);
    await json(tenant, `taskruns/${id}?executionId=nope`, 404);
    await json(other, `taskruns/${id}`, 404);
    await json(other, `taskruns/${id}?executionId=${ex.id}`, 404);
  });
});

describe("GET executions/{id}/taskruns", () => {
  it("picks loop children by task id, value, iteration or parent", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, loop);
    const ex = await runFlow(tenant, "qa.runs", "loop");
    const each = ex.taskRunList.find((t) => t.taskId === "each")!;
    const byTask = await json<Page>(tenant, `executions/${ex.id}/taskruns?taskId=second`);
    expect(byTask.total).toBe(3);
    expect(byTask.results.map((r) => r.outputs)).toEqual([{ value: "2-a" }, { value: "2-b" }, { value: "2-c" }]);
    const byValue = await json<Page>(tenant, `executions/${ex.id}/taskruns?taskId=first&value=b`);
    expect(byValue.results.map((r) => [r.value, r.iteration, r.outputs])).toEqual([["b", 1, { value: "1-b" }]]);
    const byIteration = await json<Page>(tenant, `executions/${ex.id}/taskruns?iteration=2`);
    expect(byIteration.results.map((r) => r.taskId).sort()).toEqual(["first", "second"]);
    expect(byIteration.results.every((r) => r.value === "c" && r.final && r.executionState === "SUCCESS")).toBe(true);
    const byParent = await json<Page>(tenant, `executions/${ex.id}/taskruns?parentTaskRunId=${each.id}&size=4`);
    expect(byParent).toMatchObject({ total: 6 });
    expect(byParent.results).toHaveLength(4);
    expect((await json<Page>(tenant, `executions/${ex.id}/taskruns?taskId=nope`)).total).toBe(0);
  });

  it("rejects a malformed iteration with 422 naming it, and an unknown execution with 404", async () => {
    const tenant = await createTenant();
    const bad = await json<{ code: string; message: string }>(tenant, "executions/x/taskruns?iteration=-1", 422);
    expect(bad.message).toContain("iteration");
    await json(tenant, "executions/nope/taskruns", 404);
  });
});

describe("GET executions/{id}/taskruns/{parent}/children", () => {
  it("pages a loop parent's children in iteration order, with the parent", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, loop);
    const ex = await runFlow(tenant, "qa.runs", "loop");
    const each = ex.taskRunList.find((t) => t.taskId === "each")!;
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const p = await json<Page & { parent: TaskRunViewJson }>(
        tenant,
        `executions/${ex.id}/taskruns/${each.id}/children?page=${page}&size=2`,
      );
      expect(p.total).toBe(6);
      expect(p.parent).toMatchObject({ id: each.id, final: true });
      seen.push(...p.results.map((r) => String((r.outputs as { value: string }).value)));
    }
    expect(seen).toEqual(["1-a", "2-a", "1-b", "2-b", "1-c", "2-c"]);
    await json(tenant, `executions/${ex.id}/taskruns/nope/children`, 404);
  });
});

describe("GET taskruns/search filters", () => {
  it("filters by state, flowId, date range, labels, triggerExecutionId, value and parentTaskRunId, and sorts by duration", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, loop);
    await saveFlow(
      tenant,
      `id: parent
namespace: qa.runs
tasks:
  - id: nap
    type: ${P}.flow.Sleep
    duration: PT0.05S
  - id: call
    type: ${P}.flow.Subflow
    namespace: qa.runs
    flowId: loop
`,
    );
    const labelled = await runFlow(tenant, "qa.runs", "loop", { query: "labels=team:data" });
    const parent = await runFlow(tenant, "qa.runs", "parent");
    const childId = String(parent.taskRunList.find((t) => t.taskId === "call")!.outputs?.executionId);
    for (const id of [labelled.id, parent.id, childId]) await indexNow(tenant, id);
    const search = (q: string) => json<SearchPage>(tenant, `taskruns/search?size=100&${q}`);

    expect((await search("")).total).toBe(7 + 2 + 7);
    expect((await search("flowId=parent")).results.map((r) => r.taskId).sort()).toEqual(["call", "nap"]);
    expect((await search("state=success")).total).toBe(16);
    expect((await search("state=FAILED")).total).toBe(0);
    const byLabel = await search("labels=team:data");
    expect(new Set(byLabel.results.map((r) => r.executionId))).toEqual(new Set([labelled.id]));
    expect(byLabel.total).toBe(7);
    expect((await search("labels=team:other")).total).toBe(0);
    const byTrigger = await search(`triggerExecutionId=${parent.id}`);
    expect(new Set(byTrigger.results.map((r) => r.executionId))).toEqual(new Set([childId]));
    expect((await search("value=b")).results.map((r) => r.executionId).sort()).toEqual(
      [labelled.id, labelled.id, childId, childId].sort(),
    );
    const each = labelled.taskRunList.find((t) => t.taskId === "each")!;
    const byParent = await search(`parentTaskRunId=${each.id}`);
    expect(byParent.total).toBe(6);
    expect(byParent.results.every((r) => r.parentTaskRunId === each.id)).toBe(true);

    const all = await search("");
    const starts = all.results.map((r) => r.state.startDate).sort();
    const middle = starts[Math.floor(starts.length / 2)]!;
    const after = await search(`startDate=${encodeURIComponent(middle)}`);
    expect(after.total).toBe(starts.filter((s) => s >= middle).length);
    const before = await search(`endDate=${encodeURIComponent(middle)}`);
    expect(before.total).toBe(starts.filter((s) => s <= middle).length);

    const ms = (r: TaskRunJson) => Date.parse(r.state.endDate!) - Date.parse(r.state.startDate);
    const longest = await json<SearchPage>(tenant, "taskruns/search?sort=duration:desc&size=3");
    expect(longest.results.map(ms)).toEqual(
      all.results
        .map(ms)
        .sort((a, b) => b - a)
        .slice(0, 3),
    );
    expect(ms(longest.results[0]!)).toBeGreaterThanOrEqual(50);
    const durations = (await search("sort=duration:asc")).results.map(ms);
    expect(durations).toEqual([...durations].sort((a, b) => a - b));
    expect((await json<{ message: string }>(tenant, "taskruns/search?state=nope", 422)).message).toContain("state");
  });
});
