// state.Get/Set/Delete (Kestra's deprecated state store, kept in the tenant's KV store) and
// log.Fetch, end to end through the API.
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { runFlow, saveFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const S = "io.kestra.plugin.core.state";

const outputs = (ex: ExecutionJson, taskId: string) =>
  ex.taskRunList.filter((r) => r.taskId === taskId).map((r) => r.outputs);
const stateOf = (ex: ExecutionJson, taskId: string) => ex.taskRunList.find((r) => r.taskId === taskId)?.state.current;

async function updateFlow(t: TestTenant, source: string): Promise<void> {
  const res = await t.fetch("flows/state.test/writer", {
    method: "PUT",
    headers: { "Content-Type": "application/x-yaml" },
    body: source,
  });
  expect(res.status).toBe(200);
}

async function file(t: TestTenant, executionId: string, uri: unknown): Promise<string> {
  const res = await t.fetch(`executions/${executionId}/file?path=${encodeURIComponent(String(uri))}`);
  expect(res.status).toBe(200);
  return new TextDecoder().decode(await res.arrayBuffer());
}

describe("state tasks", () => {
  it("merge into a named state per flow that later executions read, per loop value, shared by namespace on request", async () => {
    const t = await createTenant();
    await saveFlow(
      t,
      `id: writer
namespace: state.test
tasks:
  - id: first
    type: ${S}.Set
    data: { a: 1 }
  - id: second
    type: ${S}.Set
    data: { b: "{{ flow.id }}" }
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [x, y]
    tasks:
      - id: per_value
        type: ${S}.Set
        name: loop
        data: { v: "{{ taskrun.value }}" }
  - id: shared
    type: ${S}.Set
    name: team
    namespace: true
    data: { owner: writer }
`,
    );
    const wrote = await runFlow(t, "state.test", "writer");
    expect(wrote.state.current).toBe("SUCCESS");
    expect(outputs(wrote, "second")[0]).toMatchObject({ count: 2 });
    await saveFlow(
      t,
      `id: writer2
namespace: state.test
tasks:
  - id: mine
    type: ${S}.Get
  - id: team
    type: ${S}.Get
    name: team
    namespace: true
`,
    );
    const other = await runFlow(t, "state.test", "writer2");
    // Another flow has its own default state, and sees the namespace's shared one.
    expect(outputs(other, "mine")[0]).toEqual({ count: 0, data: {} });
    expect(outputs(other, "team")[0]).toEqual({ count: 1, data: { owner: "writer" } });

    await updateFlow(
      t,
      `id: writer
namespace: state.test
tasks:
  - id: get
    type: ${S}.Get
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [x, y]
    tasks:
      - id: per_value
        type: ${S}.Get
        name: loop
  - id: whole_loop
    type: ${S}.Get
    name: loop
    taskrunValue: false
  - id: delete
    type: ${S}.Delete
  - id: gone
    type: ${S}.Get
    errorOnMissing: true
    allowFailure: true
`,
    );
    const read = await runFlow(t, "state.test", "writer");
    expect(outputs(read, "get")[0]).toEqual({ count: 2, data: { a: 1, b: "writer" } });
    expect(outputs(read, "per_value")).toEqual([
      { count: 1, data: { v: "x" } },
      { count: 1, data: { v: "y" } },
    ]);
    expect(outputs(read, "whole_loop")[0]).toEqual({ count: 0, data: {} });
    expect(outputs(read, "delete")[0]).toEqual({ deleted: true });
    expect(stateOf(read, "gone")).toBe("WARNING");

    // Another tenant with the same namespace and flow sees nothing of it.
    const stranger = await createTenant();
    await saveFlow(
      stranger,
      `id: writer2\nnamespace: state.test\ntasks:\n  - id: team\n    type: ${S}.Get\n    name: team\n    namespace: true\n`,
    );
    expect(outputs(await runFlow(stranger, "state.test", "writer2"), "team")[0]).toEqual({ count: 0, data: {} });
  });
});

describe("log.Fetch", () => {
  it("collects this execution's logs at or above a level, or another execution's of the same tenant, into a file", async () => {
    const t = await createTenant();
    await saveFlow(
      t,
      `id: chatty
namespace: logs.test
inputs:
  - id: other
    type: STRING
    defaults: ""
tasks:
  - id: info
    type: io.kestra.plugin.core.log.Log
    message: one
  - id: debug
    type: io.kestra.plugin.core.log.Log
    level: DEBUG
    message: two
  - id: warn
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: three
  - id: fetch
    type: io.kestra.plugin.core.log.Fetch
  - id: fetch_warn
    type: io.kestra.plugin.core.log.Fetch
    level: WARN
  - id: fetch_task
    type: io.kestra.plugin.core.log.Fetch
    level: DEBUG
    tasksId: [debug]
`,
    );
    const ex = await runFlow(t, "logs.test", "chatty");
    expect(ex.state.current).toBe("SUCCESS");
    const lines = async (taskId: string) =>
      (await file(t, ex.id, outputs(ex, taskId)[0]?.uri))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { message: string; taskId: string; executionId: string; level: string });
    const all = await lines("fetch");
    expect(all.map((l) => l.message)).toEqual(["one", "three"]);
    expect(all[0]).toMatchObject({
      taskId: "info",
      executionId: ex.id,
      level: "INFO",
      namespace: "logs.test",
      flowId: "chatty",
    });
    expect(outputs(ex, "fetch")[0]?.size).toBe(2);
    expect((await lines("fetch_warn")).map((l) => l.message)).toEqual(["three"]);
    expect((await lines("fetch_task")).map((l) => l.message)).toEqual(["two"]);

    await saveFlow(
      t,
      `id: reader\nnamespace: logs.test\ninputs:\n  - id: id\n    type: STRING\ntasks:\n  - id: fetch\n    type: io.kestra.plugin.core.log.Fetch\n    executionId: "{{ inputs.id }}"\n    allowFailure: true\n`,
    );
    const form = new FormData();
    form.set("id", ex.id);
    const read = await runFlow(t, "logs.test", "reader", { body: form });
    expect(outputs(read, "fetch")[0]?.size).toBe(2);

    // The same id from another tenant names nothing there.
    const stranger = await createTenant();
    await saveFlow(
      stranger,
      `id: reader\nnamespace: logs.test\ninputs:\n  - id: id\n    type: STRING\ntasks:\n  - id: fetch\n    type: io.kestra.plugin.core.log.Fetch\n    executionId: "{{ inputs.id }}"\n    allowFailure: true\n`,
    );
    const form2 = new FormData();
    form2.set("id", ex.id);
    const denied = await runFlow(stranger, "logs.test", "reader", { body: form2 });
    expect(stateOf(denied, "fetch")).toBe("WARNING");
  });
});
