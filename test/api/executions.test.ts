// The executions API end to end: creation rules (inputs, labels, disabled flows, wait), the
// Kestra JSON shape, search over the D1 index, follow as server-sent events, replay, outputs.
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { getExecution, logsOf, runFlow, saveFlow, startFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const typed = `id: typed
namespace: qa
inputs:
  - id: n
    type: INT
    min: 1
  - id: when
    type: DATETIME
    required: false
tasks:
  - id: double
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.n * 2 }}"
outputs:
  - id: doubled
    type: INT
    value: "{{ outputs.double.value }}"
`;

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 150 && !ok(value); i++) {
    await new Promise((r) => setTimeout(r, 20));
    value = await read();
  }
  return value;
}

async function search(tenant: TestTenant, query: string) {
  const res = await tenant.fetch(`executions/search?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { results: ExecutionJson[]; total: number };
}

describe("creating executions", () => {
  it("validates inputs by type and answers 422 naming the input; nothing starts", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, typed);
    const bad = await tenant.fetch("executions/qa/typed", { method: "POST", body: new URLSearchParams({ n: "zero" }) });
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { message: string; code: string; details: { input: string }[] };
    expect(body.code).toBe("invalid");
    expect(body.details[0]!.input).toBe("n");
    const missing = await tenant.fetch("executions/qa/typed", { method: "POST" });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { message: string }).message).toContain("n");
    expect((await search(tenant, "flowId=typed")).total).toBe(0);
  });

  it("runs with JSON inputs, renders arithmetic and types the flow outputs", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, typed);
    const ex = await runFlow(tenant, "qa", "typed", {
      body: JSON.stringify({ n: 21 }),
      headers: { "Content-Type": "application/json" },
    });
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.inputs).toMatchObject({ n: 21 });
    expect(ex.outputs).toEqual({ doubled: 42 });
  });

  it("answers 409 for a disabled flow and 404 for an unknown one", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: off\nnamespace: qa\ndisabled: true\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: x\n`,
    );
    expect((await tenant.fetch("executions/qa/off", { method: "POST" })).status).toBe(409);
    expect((await tenant.fetch("executions/qa/nope", { method: "POST" })).status).toBe(404);
  });

  it("applies flow and request labels and always adds system.correlationId", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: labelled\nnamespace: qa\nlabels:\n  team: data\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.execution.Labels\n    labels:\n      stage: done\n`,
    );
    const ex = await runFlow(tenant, "qa", "labelled", { query: "labels=env:prod" });
    expect(ex.labels).toEqual([
      { key: "team", value: "data" },
      { key: "env", value: "prod" },
      { key: "system.correlationId", value: ex.id },
      { key: "stage", value: "done" },
    ]);
    const refused = await tenant.fetch("executions/qa/labelled?labels=system.readOnly:true", { method: "POST" });
    expect(refused.status).toBe(422);
  });

  it("returns the Kestra execution shape with ISO durations and end dates", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: shape\nnamespace: qa\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: hi\n`,
    );
    const ex = await runFlow(tenant, "qa", "shape");
    expect(Object.keys(ex)).toEqual(
      expect.arrayContaining([
        "id",
        "namespace",
        "flowId",
        "flowRevision",
        "taskRunList",
        "labels",
        "state",
        "originalId",
        "metadata",
        "deleted",
      ]),
    );
    expect(ex.state.duration).toMatch(/^PT[\d.]+S$/);
    expect(ex.state.endDate).toBeDefined();
    const run = ex.taskRunList[0]!;
    expect(run).toMatchObject({
      executionId: ex.id,
      namespace: "qa",
      flowId: "shape",
      taskId: "r",
      outputs: { value: "hi" },
    });
    expect(run.attempts[0]!.state.current).toBe("SUCCESS");
    const timer = run.attempts[0]!.metrics!.find((m) => m.name === "duration")!;
    expect(String(timer.value)).toMatch(/^PT[\d.]+S$/);
  });

  it("fails a task that exceeds its timeout", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: slow\nnamespace: qa\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n    timeout: PT0.05S\n`,
    );
    const ex = await runFlow(tenant, "qa", "slow");
    expect(ex.state.current).toBe("FAILED");
    const errors = (await logsOf(tenant, ex.id)).filter((l) => l.level === "ERROR").map((l) => l.message);
    expect(errors).toEqual(["Task timed out after PT0.05S"]);
    expect(Date.parse(ex.state.endDate!) - Date.parse(ex.state.startDate)).toBeLessThan(60_000);
  });
});

describe("reading executions", () => {
  it("searches the D1 index by flow, state and labels with Kestra paging", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: s1\nnamespace: qa.search\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: x\n`,
    );
    await saveFlow(
      tenant,
      `id: s2\nnamespace: qa.search\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.execution.Fail\n`,
    );
    for (let i = 0; i < 3; i++) await runFlow(tenant, "qa.search", "s1");
    await runFlow(tenant, "qa.search", "s2", { query: "labels=kind:bad" });
    const all = await eventually(
      () => search(tenant, "namespace=qa&size=2"),
      (r) => r.total === 4,
    );
    expect(all.total).toBe(4);
    expect(all.results).toHaveLength(2);
    expect((await search(tenant, "namespace=qa&size=2&page=2")).results).toHaveLength(2);
    expect((await search(tenant, "state=FAILED")).results.map((e) => e.flowId)).toEqual(["s2"]);
    expect((await search(tenant, "labels=kind:bad")).total).toBe(1);
    expect((await search(tenant, "flowId=s1")).total).toBe(3);
    const other = await createTenant();
    expect((await search(other, "namespace=qa")).total).toBe(0);
  });

  it("pages task runs of one execution through taskruns/search", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: many\nnamespace: qa\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    concurrencyLimit: 0\n    values: [a, b, c, d, e]\n    tasks:\n      - id: log\n        type: io.kestra.plugin.core.log.Log\n        message: "{{ taskrun.value }}"\n`,
    );
    const ex = await runFlow(tenant, "qa", "many");
    const page = (n: number) =>
      tenant
        .fetch(`taskruns/search?executionId=${ex.id}&size=4&page=${n}`)
        .then((r) => r.json() as Promise<{ results: { id: string }[]; total: number }>);
    const first = await eventually(
      () => page(1),
      (p) => p.total === 6,
    );
    const second = await page(2);
    expect(first.total).toBe(6);
    expect(new Set([...first.results, ...second.results].map((r) => r.id)).size).toBe(6);
  });

  it("follows an execution as server-sent events: the current state first, `end` when terminal", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: followed\nnamespace: qa\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT0.2S\n  - id: done\n    type: io.kestra.plugin.core.log.Log\n    message: done\n`,
    );
    const started = await startFlow(tenant, "qa", "followed");
    const res = await tenant.fetch(`executions/${started.id}/follow`);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    const events = text
      .trim()
      .split("\n\n")
      .map((chunk) => chunk.split("\n")[0]);
    expect(events[0]).toBe("id: progress");
    expect(events[events.length - 1]).toBe("id: end");
    const last = JSON.parse(
      text
        .trim()
        .split("\n\n")
        .pop()!
        .split("\n")
        .find((l) => l.startsWith("data: "))!
        .slice(6),
    ) as ExecutionJson;
    expect(last.state.current).toBe("SUCCESS");
  });

  it("follows an execution's logs as server-sent events: every line once, in order, then `end`", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      [
        "id: chatter",
        "namespace: qa",
        "tasks:",
        "  - id: one",
        "    type: io.kestra.plugin.core.log.Log",
        "    message: first line",
        "  - id: nap",
        "    type: io.kestra.plugin.core.flow.Sleep",
        "    duration: PT0.7S",
        "  - id: two",
        "    type: io.kestra.plugin.core.log.Log",
        "    message: [second line, third line]",
        "",
      ].join("\n"),
    );
    const started = await startFlow(tenant, "qa", "chatter");
    const res = await tenant.fetch(`logs/${started.id}/follow`);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const chunks = (await res.text()).trim().split("\n\n");
    expect(chunks.at(-1)).toBe("event: end\ndata: {}");
    const messages = chunks
      .slice(0, -1)
      .map((chunk) => JSON.parse(chunk.split("\n")[1]!.slice("data: ".length)) as { message: string });
    expect(messages.map((m) => m.message)).toEqual(["first line", "Waiting for PT0.7S", "second line", "third line"]);
  });

  it("replays an execution into a new one with the same inputs and parentId", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, typed);
    const ex = await runFlow(tenant, "qa", "typed", {
      body: JSON.stringify({ n: 2 }),
      headers: { "Content-Type": "application/json" },
    });
    const res = await tenant.fetch(`executions/${ex.id}/replay`, { method: "POST" });
    expect(res.status).toBe(200);
    const replay = (await res.json()) as ExecutionJson;
    expect(replay.id).not.toBe(ex.id);
    expect(replay.parentId).toBe(ex.id);
    const done = await eventually(
      () => getExecution(tenant, replay.id),
      (e) => e.state.current === "SUCCESS",
    );
    expect(done.outputs).toEqual({ doubled: 4 });
  });

  it("replays from a task run: keeps the task runs before it in the graph, runs it, its loop's other iterations and what follows again", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: partial
namespace: qa
tasks:
  - id: first
    type: io.kestra.plugin.core.debug.Return
    format: one
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: [a, b]
    tasks:
      - id: inner
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
  - id: last
    type: io.kestra.plugin.core.log.Log
    message: done
`,
    );
    const ex = await runFlow(tenant, "qa", "partial");
    const innerB = ex.taskRunList.find((r) => r.taskId === "inner" && r.value === "b")!;
    const res = await tenant.fetch(`executions/${ex.id}/replay?taskRunId=${innerB.id}`, { method: "POST" });
    expect(res.status).toBe(200);
    const replay = (await res.json()) as ExecutionJson;
    // As Kestra's graph reads it: every run of `inner` comes at or after the chosen one.
    expect(replay.taskRunList.map((r) => [r.taskId, r.value ?? null, r.state.current])).toEqual([
      ["first", null, "SUCCESS"],
      ["loop", null, "RUNNING"],
      ["inner", "b", "RESTARTED"],
    ]);
    const done = await eventually(
      () => getExecution(tenant, replay.id),
      (e) => e.state.current === "SUCCESS",
    );
    expect(done.parentId).toBe(ex.id);
    expect(done.taskRunList.map((r) => [r.taskId, r.value ?? null]).sort()).toEqual([
      ["first", null],
      ["inner", "a"],
      ["inner", "b"],
      ["last", null],
      ["loop", null],
    ]);
    expect(new Set(done.taskRunList.map((r) => r.id)).size).toBe(5);
    expect(done.taskRunList.some((r) => ex.taskRunList.some((o) => o.id === r.id))).toBe(false);
    const keptFirst = done.taskRunList.find((r) => r.taskId === "first")!;
    expect(keptFirst.state.endDate).toBe(ex.taskRunList.find((r) => r.taskId === "first")!.state.endDate);
    expect((await tenant.fetch(`executions/${ex.id}/replay?taskRunId=nope`, { method: "POST" })).status).toBe(404);
  });

  it("never shows one tenant's execution to another: 404", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await saveFlow(a, typed);
    const ex = await runFlow(a, "qa", "typed", {
      body: JSON.stringify({ n: 1 }),
      headers: { "Content-Type": "application/json" },
    });
    for (const path of [`executions/${ex.id}`, `logs/${ex.id}`, `metrics/${ex.id}`, `executions/${ex.id}/follow`]) {
      expect((await b.fetch(path)).status, path).toBe(404);
    }
    expect((await b.fetch(`executions/${ex.id}/kill`, { method: "DELETE" })).status).toBe(404);
    expect((await b.fetch(`/api/v1/${a.tenantId}/executions/${ex.id}`)).status).toBe(404);
  });
});
