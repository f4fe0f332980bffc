// POST executions/{id}/eval/{taskRunId} (Kestra's expression console): a template rendered against
// a task run's context, the error of one that fails with the position of the failing expression,
// secret values masked, and 404s for an unknown execution or task run.
import { describe, expect, it } from "vitest";
import type { EvalResult } from "../../worker/api/eval";
import { runFlow, saveFlow } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";

const FLOW = `id: console
namespace: qa
inputs:
  - id: who
    type: STRING
    defaults: world
tasks:
  - id: first
    type: io.kestra.plugin.core.debug.Return
    format: "hello {{ inputs.who }}"
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b"]
    tasks:
      - id: inner
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}!"
`;

async function setup() {
  const tenant = await createTenant();
  await saveFlow(tenant, FLOW);
  const ex = await runFlow(tenant, "qa", "console");
  expect(ex.state.current).toBe("SUCCESS");
  const run = (taskId: string, value?: string) =>
    ex.taskRunList.find((r) => r.taskId === taskId && (value === undefined || r.value === value))!;
  const evaluate = async (taskRunId: string, expression: string) => {
    const res = await tenant.fetch(`executions/${ex.id}/eval/${taskRunId}`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: expression,
    });
    return { status: res.status, body: (await res.json()) as EvalResult };
  };
  return { tenant, ex, run, evaluate };
}

describe("expression console (eval)", () => {
  it("renders a template against the chosen task run's context: outputs, inputs and the loop's taskrun", async () => {
    const { run, evaluate } = await setup();
    const at = await evaluate(run("first").id, "{{ outputs.first.value }} / {{ inputs.who | upper }}");
    expect(at).toEqual({ status: 200, body: { result: "hello world / WORLD" } });
    const inLoop = await evaluate(run("inner", "b").id, "value={{ taskrun.value }} id={{ taskrun.id }}");
    expect(inLoop.body.result).toBe(`value=b id=${run("inner", "b").id}`);
  });

  it("answers the error of a failing template with the line and column of the failing expression", async () => {
    const { run, evaluate } = await setup();
    const template = "ok {{ inputs.who }}\nthen {{ outputs.nope.value }} end";
    const { status, body } = await evaluate(run("first").id, template);
    expect(status).toBe(200);
    expect(body.result).toBeUndefined();
    expect(body.error).toMatch(/nope/);
    expect(body.position).toEqual({ offset: template.indexOf("{{ outputs"), length: 24, line: 2, column: 6 });
    const syntax = await evaluate(run("first").id, "{{ 1 + }}");
    expect(syntax.body.error).toBeTruthy();
    expect(syntax.body.position).toMatchObject({ line: 1, column: 1 });
    const withHash = "a\n  {{ inputs.who # 2 }}";
    const badChar = await evaluate(run("first").id, withHash);
    expect(badChar.body.position).toEqual({ offset: withHash.indexOf("#"), length: 1, line: 2, column: 17 });
  });

  it("masks a secret's value in the result", async () => {
    const { tenant, run, evaluate } = await setup();
    const put = await tenant.fetch("namespaces/qa/secrets/TOKEN", { method: "PUT", body: "s3cr3t-value" });
    expect(put.status).toBe(204);
    const { body } = await evaluate(run("first").id, "token={{ secret('TOKEN') }}");
    expect(body.result).toBeDefined();
    expect(body.result).not.toContain("s3cr3t-value");
    expect(body.result).toMatch(/^token=\*+$/);
  });

  it("refuses an empty expression (422) and answers 404 for an unknown execution or task run", async () => {
    const { tenant, ex, run, evaluate } = await setup();
    expect((await evaluate(run("first").id, "  ")).status).toBe(422);
    expect((await evaluate("nope", "{{ 1 }}")).status).toBe(404);
    const unknown = await tenant.fetch(`executions/nope/eval/${run("first").id}`, { method: "POST", body: "{{ 1 }}" });
    expect(unknown.status).toBe(404);
    expect(ex.id).toBeTruthy();
  });
});
