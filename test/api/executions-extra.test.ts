// Kestra's smaller executions endpoints: the deprecated trigger alias, input validation, a
// flow's executions, labels on a terminated execution, and kill without cascade.
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { getExecution, runFlow, saveFlow, settled, startFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const TYPED = `id: typed
namespace: qa
inputs:
  - id: n
    type: INT
    min: 1
  - id: note
    type: STRING
    defaults: none
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.n }}"
`;
const SLEEPER = `id: sleeper\nnamespace: qa\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n`;
const json = (body: unknown, method = "POST"): RequestInit => ({
  method,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

async function flowExecutions(t: TestTenant, query: string, expected: number) {
  let body = { results: [] as ExecutionJson[], total: -1 };
  for (let i = 0; i < 50 && body.total !== expected; i++) {
    const res = await t.fetch(`executions?${query}`);
    expect(res.status).toBe(200);
    body = (await res.json()) as typeof body;
    if (body.total !== expected) await new Promise((r) => setTimeout(r, 50));
  }
  return body;
}

describe("POST /executions/trigger/{namespace}/{flowId} (deprecated alias)", () => {
  it("starts the flow like POST /executions/{namespace}/{flowId}, inputs and wait included", async () => {
    const t = await createTenant();
    await saveFlow(t, TYPED);
    const res = await t.fetch("executions/trigger/qa/typed?wait=true", json({ n: 3 }));
    expect(res.status).toBe(200);
    const ex = (await res.json()) as ExecutionJson;
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.inputs).toMatchObject({ n: 3, note: "none" });
    expect((await t.fetch("executions/trigger/qa/typed", json({ n: 0 }))).status).toBe(422);
  });

  it("does not start another tenant's flow: 404", async () => {
    const [a, b] = [await createTenant(), await createTenant()];
    await saveFlow(b, TYPED);
    expect((await a.fetch("executions/trigger/qa/typed", json({ n: 3 }))).status).toBe(404);
  });

  it("starts a flow named validate, and otherwise validates the flow trigger.{namespace}", async () => {
    const t = await createTenant();
    await saveFlow(t, TYPED.replace("id: typed", "id: validate"));
    const started = await t.fetch("executions/trigger/qa/validate", json({ n: 1 }));
    expect(((await started.json()) as ExecutionJson).flowId).toBe("validate");
    await saveFlow(t, TYPED.replace("id: typed", "id: x").replace("namespace: qa", "namespace: trigger"));
    const validated = await t.fetch("executions/trigger/x/validate", json({ n: 1 }));
    expect(validated.status).toBe(200);
    expect((await validated.json()) as { id: string; namespace: string }).toMatchObject({
      id: "x",
      namespace: "trigger",
    });
  });
});

describe("POST /executions/{namespace}/{flowId}/validate", () => {
  it("reports each input with its value and errors, and starts nothing", async () => {
    const t = await createTenant();
    await saveFlow(t, TYPED);
    const res = await t.fetch("executions/qa/typed/validate", json({ n: 0 }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      id: string;
      namespace: string;
      inputs: { input: { id: string }; value: unknown; isDefault: boolean; errors: { message: string }[] }[];
    };
    expect(body.id).toBe("typed");
    expect(body.inputs.map((i) => i.input.id)).toEqual(["n", "note"]);
    expect(body.inputs[0]!.errors.length).toBe(1);
    const ok = (await (await t.fetch("executions/qa/typed/validate", json({ n: 5 }))).json()) as typeof body;
    expect(ok.inputs.map((i) => [i.value, i.isDefault, i.errors])).toEqual([
      [5, false, []],
      ["none", true, []],
    ]);
    expect((await flowExecutions(t, "namespace=qa&flowId=typed", 0)).total).toBe(0);
  });

  it("answers 404 for another tenant's flow", async () => {
    const [a, b] = [await createTenant(), await createTenant()];
    await saveFlow(b, TYPED);
    expect((await a.fetch("executions/qa/typed/validate", json({ n: 5 }))).status).toBe(404);
  });
});

describe("GET /executions?namespace=&flowId=", () => {
  it("lists one flow's executions, not a child namespace's or another flow's; both parameters are required", async () => {
    const t = await createTenant();
    await saveFlow(t, TYPED);
    await saveFlow(t, TYPED.replace("namespace: qa", "namespace: qa.child"));
    await runFlow(t, "qa", "typed", {
      body: JSON.stringify({ n: 1 }),
      headers: { "Content-Type": "application/json" },
    });
    await runFlow(t, "qa.child", "typed", {
      body: JSON.stringify({ n: 1 }),
      headers: { "Content-Type": "application/json" },
    });
    const body = await flowExecutions(t, "namespace=qa&flowId=typed", 1);
    expect(body.results.map((e) => e.namespace)).toEqual(["qa"]);
    expect((await t.fetch("executions?namespace=qa")).status).toBe(422);
    const other = await createTenant();
    expect(
      ((await (await other.fetch("executions?namespace=qa&flowId=typed")).json()) as { total: number }).total,
    ).toBe(0);
  });
});

describe("POST /executions/{id}/labels", () => {
  it("sets labels on a terminated execution: same keys replaced, others kept, the index follows", async () => {
    const t = await createTenant();
    await saveFlow(t, TYPED);
    const ex = await runFlow(t, "qa", "typed", {
      body: JSON.stringify({ n: 1 }),
      headers: { "Content-Type": "application/json" },
      query: "labels=team:a&labels=keep:yes",
    });
    const res = await t.fetch(
      `executions/${ex.id}/labels`,
      json([
        { key: "team", value: "b" },
        { key: "new", value: "1" },
      ]),
    );
    expect(res.status).toBe(200);
    const labels = ((await res.json()) as ExecutionJson).labels;
    expect(labels).toEqual(
      expect.arrayContaining([
        { key: "team", value: "b" },
        { key: "keep", value: "yes" },
        { key: "new", value: "1" },
        { key: "system.correlationId", value: ex.id },
      ]),
    );
    expect(labels.filter((l) => l.key === "team")).toHaveLength(1);
    expect((await getExecution(t, ex.id)).labels).toEqual(labels);
    let found = 0;
    for (let i = 0; i < 50 && found !== 1; i++) {
      found = ((await (await t.fetch("executions/search?labels=team:b")).json()) as { total: number }).total;
      if (found !== 1) await new Promise((r) => setTimeout(r, 50));
    }
    expect(found).toBe(1);
  });

  it("refuses a running execution (409), system labels and malformed bodies (422), another tenant's execution (404)", async () => {
    const t = await createTenant();
    await saveFlow(t, SLEEPER);
    const running = await startFlow(t, "qa", "sleeper");
    expect((await t.fetch(`executions/${running.id}/labels`, json([{ key: "a", value: "b" }]))).status).toBe(409);
    const system = await t.fetch(`executions/${running.id}/labels`, json([{ key: "system.readOnly", value: "true" }]));
    expect(system.status).toBe(422);
    expect(((await system.json()) as { message: string }).message).toContain("system.readOnly");
    expect((await t.fetch(`executions/${running.id}/labels`, json({ a: "b" }))).status).toBe(422);
    const other = await createTenant();
    expect((await other.fetch(`executions/${running.id}/labels`, json([{ key: "a", value: "b" }]))).status).toBe(404);
    await t.fetch(`executions/${running.id}/kill`, { method: "DELETE" });
  });
});

describe("DELETE /executions/{id}/kill?isOnKillCascade=false", () => {
  it("kills the execution and leaves its subflow's execution running", async () => {
    const t = await createTenant();
    await saveFlow(t, SLEEPER.replace("namespace: qa", "namespace: qa.sub"));
    await saveFlow(
      t,
      "id: holder\nnamespace: qa\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: qa.sub\n    flowId: sleeper\n",
    );
    const started = await startFlow(t, "qa", "holder");
    await settled(t, started.id, (e) => e.taskRunList[0]?.state.current === "RUNNING");
    let childId: string | undefined;
    for (let i = 0; i < 100 && !childId; i++) {
      const found = (await (await t.fetch("executions/search?flowId=sleeper")).json()) as { results: ExecutionJson[] };
      childId = found.results[0]?.id;
      if (!childId) await new Promise((r) => setTimeout(r, 20));
    }
    expect(childId).toBeDefined();
    await settled(t, childId!, (e) => e.state.current === "RUNNING");
    expect((await t.fetch(`executions/${started.id}/kill?isOnKillCascade=false`, { method: "DELETE" })).status).toBe(
      202,
    );
    expect((await settled(t, started.id, (e) => e.state.current === "KILLED")).state.current).toBe("KILLED");
    await new Promise((r) => setTimeout(r, 200));
    expect((await getExecution(t, childId!)).state.current).toBe("RUNNING");
    await t.fetch(`executions/${childId}/kill`, { method: "DELETE" });
  });
});
