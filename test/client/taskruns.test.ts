// The SDK's task-run view against the real Worker: its constructors, frozen snapshots and
// latest(), result() with files fetched once, a loop parent's result and children (10,000 of them
// paged with at most one page held), waiting on another execution, and its typed errors.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Peregrine, PeregrineError, type TaskRunView } from "../../client/src/index.ts";
import { indexNow } from "../helpers/leaks";
import { BASE, createTenant } from "../helpers/tenant";

const P = "io.kestra.plugin.core";

async function setup() {
  const tenant = await createTenant();
  const requests: string[] = [];
  const p = new Peregrine({
    url: BASE,
    tenant: tenant.tenantId,
    apiKey: tenant.key,
    fetch: (req) => {
      requests.push(`${req.method} ${new URL(req.url).pathname}${new URL(req.url).search}`);
      return exports.default.fetch(req);
    },
  });
  return { tenant, p, requests };
}

async function rejection(promise: Promise<unknown>): Promise<PeregrineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof PeregrineError)) throw new Error(`expected a PeregrineError, got ${String(error)}`);
  return error;
}

const loop = `id: loop
namespace: qa
tasks:
  - id: each
    type: ${P}.flow.ForEach
    values: ["a", "b", "c"]
    tasks:
      - id: up
        type: ${P}.debug.Return
        format: "{{ taskrun.value | upper }}"
      - id: twice
        type: ${P}.debug.Return
        format: "{{ taskrun.value }}{{ taskrun.value }}"
  - id: after
    type: ${P}.debug.Return
    format: done
`;

describe("task-run view constructors", () => {
  it("builds from execution id and task id, by loop value or iteration, or from a task-run id, with or without its execution", async () => {
    const { tenant, p } = await setup();
    await p.flows.save(loop);
    const ex = await p.executions.create("qa", "loop", { wait: true });
    const after = await p.taskRuns.fromTask(ex.id, "after");
    expect(after).toMatchObject({ taskId: "after", executionId: ex.id, final: true, executionState: "SUCCESS" });
    const byValue = await p.taskRuns.fromTask(ex.id, "up", { value: "b" });
    expect(byValue).toMatchObject({ value: "b", iteration: 1, outputs: { value: "B" } });
    const byIteration = await p.taskRuns.fromTask(ex.id, "twice", { iteration: 2 });
    expect(byIteration).toMatchObject({ value: "c", outputs: { value: "cc" } });
    const byId = await p.taskRuns.get(byValue.id, { executionId: ex.id });
    expect(byId.data).toEqual(byValue.data);
    await indexNow(tenant, ex.id);
    expect((await p.taskRuns.get(byValue.id)).data).toEqual(byValue.data);
  });

  it("throws not_found when nothing matches and ambiguous for a loop task without value or iteration", async () => {
    const { p } = await setup();
    await p.flows.save(loop);
    const ex = await p.executions.create("qa", "loop", { wait: true });
    expect(await rejection(p.taskRuns.fromTask(ex.id, "up"))).toMatchObject({
      code: "ambiguous",
      details: { total: 3 },
    });
    expect(await rejection(p.taskRuns.fromTask(ex.id, "up", { value: "z" }))).toMatchObject({
      status: 404,
      code: "not_found",
    });
    expect(await rejection(p.taskRuns.get("nope"))).toMatchObject({ status: 404, code: "not_found" });
    expect(await rejection(p.taskRuns.fromTask("nope", "up"))).toMatchObject({ status: 404, code: "not_found" });
  });
});

describe("snapshots", () => {
  it("are frozen; latest() returns a fresh view and leaves the old one as it was", async () => {
    const { p } = await setup();
    await p.flows.save(`id: gated
namespace: qa
tasks:
  - id: gate
    type: ${P}.flow.Pause
  - id: after
    type: ${P}.debug.Return
    format: done
`);
    const ex = await p.executions.create("qa", "gated");
    for await (const e of p.executions.follow(ex.id)) if (e.execution.state.current === "PAUSED") break;
    const old = await p.taskRuns.fromTask(ex.id, "gate");
    expect(old).toMatchObject({ state: "PAUSED", final: false, executionState: "PAUSED" });
    expect(Object.isFrozen(old)).toBe(true);
    expect(Object.isFrozen(old.data.state)).toBe(true);
    expect(() => {
      (old as unknown as { final: boolean }).final = true;
    }).toThrow(TypeError);
    expect(await rejection(old.result())).toMatchObject({ code: "not_final" });
    await p.executions.resume(ex.id);
    await p.executions.waitForEnd(ex.id, { timeoutMs: 10_000 });
    const fresh = await old.latest();
    expect(fresh).toMatchObject({ id: old.id, state: "SUCCESS", final: true, executionState: "SUCCESS" });
    expect(old).toMatchObject({ state: "PAUSED", final: false });
  });
});

describe("result()", () => {
  it("returns the outputs and fetches each kestra:// file once per view, on demand", async () => {
    const { p, requests } = await setup();
    await p.flows.save(`id: files
namespace: qa
inputs:
  - id: doc
    type: FILE
tasks:
  - id: keep
    type: ${P}.output.OutputValues
    values:
      report: "{{ inputs.doc }}"
      copies: ["{{ inputs.doc }}", "{{ inputs.doc }}"]
      count: 2
`);
    const ex = await p.executions.create("qa", "files", { inputs: { doc: new Blob(["the report"]) }, wait: true });
    const view = await p.taskRuns.fromTask(ex.id, "keep");
    const uri = String(ex.inputs?.doc);
    const raw = (await view.result()) as { values: { report: string; count: number } };
    expect(raw.values).toMatchObject({ report: uri, count: 2 });
    const fileCalls = () => requests.filter((r) => r.includes("/file?")).length;
    expect(fileCalls()).toBe(0);
    const withFiles = (await view.result({ files: "blob" })) as { values: { report: Blob; copies: Blob[] } };
    expect(await withFiles.values.report.text()).toBe("the report");
    expect(await withFiles.values.copies[1]!.text()).toBe("the report");
    await view.result({ files: "blob" });
    expect(await new Response(await view.stream(uri)).text()).toBe("the report");
    expect(fileCalls()).toBe(1);
  });

  it("gives a loop parent's children's outputs by iteration, in order", async () => {
    const { p } = await setup();
    await p.flows.save(loop);
    const ex = await p.executions.create("qa", "loop", { wait: true });
    const each = await p.taskRuns.fromTask(ex.id, "each");
    expect(await each.result()).toEqual([
      { iteration: 0, value: "a", outputs: { up: { value: "A" }, twice: { value: "aa" } } },
      { iteration: 1, value: "b", outputs: { up: { value: "B" }, twice: { value: "bb" } } },
      { iteration: 2, value: "c", outputs: { up: { value: "C" }, twice: { value: "cc" } } },
    ]);
    const children: string[] = [];
    for await (const child of each.children({ pageSize: 2 })) children.push(`${child.iteration}:${child.taskId}`);
    expect(children).toEqual(["0:up", "0:twice", "1:up", "1:twice", "2:up", "2:twice"]);
  });

  it("on a view of another execution, waits for it to end when asked, and times out otherwise", async () => {
    const { p } = await setup();
    await p.flows.save(`id: later
namespace: qa
tasks:
  - id: gate
    type: ${P}.flow.Pause
`);
    const other = await p.executions.create("qa", "later");
    for await (const e of p.executions.follow(other.id)) if (e.execution.state.current === "PAUSED") break;
    const gate = await p.taskRuns.fromTask(other.id, "gate");
    expect(await rejection(gate.result({ wait: true, timeoutMs: 300 }))).toMatchObject({ code: "timeout" });
    const waiting = gate.result({ wait: true, timeoutMs: 20_000 });
    await p.executions.resume(other.id);
    expect(await waiting).toEqual({});
  });
});

describe("children() of a big loop", () => {
  it("walks 10,000 children in iteration order, holding one page at a time", async () => {
    const { p, requests } = await setup();
    await p.flows.save(`id: big
namespace: qa
inputs:
  - id: items
    type: JSON
tasks:
  - id: each
    type: ${P}.flow.ForEach
    values: "{{ inputs.items }}"
    concurrencyLimit: 0
    tasks:
      - id: item
        type: ${P}.debug.Return
        format: "{{ taskrun.value }}"
`);
    const n = 10_000;
    const items = Array.from({ length: n }, (_, i) => `v${i}`);
    const ex = await p.executions.create("qa", "big", { inputs: { items }, wait: true });
    expect(ex.state.current).toBe("SUCCESS");
    const each = await p.taskRuns.fromTask(ex.id, "each");
    const pages = () => requests.filter((r) => r.includes("/children?")).length;
    const size = 500;
    let seen = 0;
    let lastIteration = -1;
    let view: TaskRunView | undefined;
    for await (view of each.children({ pageSize: size })) {
      expect(view.iteration).toBe(lastIteration + 1);
      expect(view.outputs).toEqual({ value: `v${view.iteration}` });
      lastIteration = view.iteration!;
      seen++;
      // Lazily paged: the pages asked for so far cover what was read, and at most one page more.
      expect(pages()).toBe(Math.ceil(seen / size));
    }
    expect(seen).toBe(n);
    expect(pages()).toBe(n / size);
  }, 120_000);
});
