// Pause and Subflow through the API with real Durable Objects and alarms (spec §5, issue 5).
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ExecutionDurableObject } from "../../worker/execution/durable-object";
import type { ExecutionJson } from "../../worker/execution/json";
import { elapse, getExecution, logsOf, runFlow, saveFlow, settled, startFlow } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";

const stateOf = (ex: ExecutionJson, taskId: string) => ex.taskRunList.find((r) => r.taskId === taskId)?.state.current;

describe("Pause", () => {
  it("pauses the execution, resumes on its alarm when pauseDuration elapses, then goes on", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: p1\nnamespace: qa\ntasks:\n  - id: wait\n    type: io.kestra.plugin.core.flow.Pause\n    pauseDuration: PT5M\n  - id: after\n    type: io.kestra.plugin.core.log.Log\n    message: resumed\n`,
    );
    const started = await startFlow(tenant, "qa", "p1");
    const paused = await settled(tenant, started.id, (e) => e.state.current === "PAUSED");
    expect(stateOf(paused, "wait")).toBe("PAUSED");
    expect(paused.state.endDate).toBeDefined();
    await elapse(tenant, started.id, 4 * 60_000);
    expect((await getExecution(tenant, started.id)).state.current).toBe("PAUSED");
    await elapse(tenant, started.id, 60_000);
    const done = await settled(tenant, started.id, (e) => e.state.current === "SUCCESS");
    expect(done.state.histories.map((h) => h.state)).toEqual([
      "CREATED",
      "RUNNING",
      "PAUSED",
      "RESTARTED",
      "RUNNING",
      "SUCCESS",
    ]);
    expect(done.taskRunList.map((r) => r.taskId)).toEqual(["wait", "after"]);
  });

  it("applies the timeout behaviours: FAIL by default for 0.21's timeout, WARN and CANCEL when asked", async () => {
    const tenant = await createTenant();
    const flow = (id: string, extra: string) =>
      `id: ${id}\nnamespace: qa\ntasks:\n  - id: wait\n    type: io.kestra.plugin.core.flow.Pause\n${extra}  - id: after\n    type: io.kestra.plugin.core.log.Log\n    message: after\n`;
    await saveFlow(tenant, flow("tfail", "    timeout: PT1M\n"));
    await saveFlow(tenant, flow("twarn", "    pauseDuration: PT1M\n    behavior: WARN\n"));
    await saveFlow(tenant, flow("tcancel", "    pauseDuration: PT1M\n    behavior: CANCEL\n"));
    const results: Record<string, ExecutionJson> = {};
    for (const id of ["tfail", "twarn", "tcancel"]) {
      const started = await startFlow(tenant, "qa", id);
      await settled(tenant, started.id, (e) => e.state.current === "PAUSED");
      await elapse(tenant, started.id, 60_000);
      results[id] = await settled(tenant, started.id, (e) =>
        ["FAILED", "WARNING", "CANCELLED"].includes(e.state.current),
      );
    }
    expect(results.tfail!.state.current).toBe("FAILED");
    expect(stateOf(results.tfail!, "after")).toBeUndefined();
    expect(results.twarn!.state.current).toBe("WARNING");
    expect(stateOf(results.twarn!, "after")).toBe("SUCCESS");
    expect(results.tcancel!.state.current).toBe("CANCELLED");
  });

  it("resumes by hand with onResume inputs validated (422) and exposed as outputs; 409 when not paused", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: approve
namespace: qa
tasks:
  - id: gate
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: approved
        type: BOOLEAN
      - id: reason
        type: STRING
        required: false
  - id: report
    type: io.kestra.plugin.core.log.Log
    message: "approved={{ outputs.gate.onResume.approved }}"
`,
    );
    const started = await startFlow(tenant, "qa", "approve");
    await settled(tenant, started.id, (e) => e.state.current === "PAUSED");
    const missing = await tenant.fetch(`executions/${started.id}/resume`, { method: "POST" });
    expect(missing.status).toBe(422);
    expect((await getExecution(tenant, started.id)).state.current).toBe("PAUSED");
    const form = new FormData();
    form.set("approved", "true");
    const ok = await tenant.fetch(`executions/${started.id}/resume`, { method: "POST", body: form });
    expect(ok.status).toBe(204);
    const done = await settled(tenant, started.id, (e) => e.state.current === "SUCCESS");
    expect(done.taskRunList[0]!.outputs).toEqual({ onResume: { approved: true, reason: null } });
    expect((await logsOf(tenant, started.id)).map((l) => l.message)).toContain("approved=true");
    expect((await tenant.fetch(`executions/${started.id}/resume`, { method: "POST" })).status).toBe(409);
  });

  it("pauses a running execution by hand: nothing new starts until it is resumed", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: manual\nnamespace: qa\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1M\n  - id: next\n    type: io.kestra.plugin.core.log.Log\n    message: next\n`,
    );
    const started = await startFlow(tenant, "qa", "manual");
    await settled(tenant, started.id, (e) => e.taskRunList[0]?.state.current === "RUNNING");
    expect((await tenant.fetch(`executions/${started.id}/pause`, { method: "POST" })).status).toBe(200);
    await elapse(tenant, started.id, 60_000);
    const held = await getExecution(tenant, started.id);
    expect(held.state.current).toBe("PAUSED");
    expect(held.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([["nap", "SUCCESS"]]);
    expect((await tenant.fetch(`executions/${started.id}/resume`, { method: "POST" })).status).toBe(204);
    const done = await settled(tenant, started.id, (e) => e.state.current === "SUCCESS");
    expect(done.taskRunList.map((r) => r.taskId)).toEqual(["nap", "next"]);
  });

  it("marks a failed task run SUCCESS through /state and the execution carries on from there", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: mend\nnamespace: qa\ntasks:\n  - id: broken\n    type: io.kestra.plugin.core.execution.Fail\n  - id: later\n    type: io.kestra.plugin.core.log.Log\n    message: later\n`,
    );
    const failed = await runFlow(tenant, "qa", "mend");
    expect(failed.state.current).toBe("FAILED");
    const res = await tenant.fetch(`executions/${failed.id}/state`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ taskRunId: failed.taskRunList[0]!.id, state: "SUCCESS" }),
    });
    expect(res.status).toBe(200);
    const done = await settled(tenant, failed.id, (e) => e.state.current === "SUCCESS");
    expect(done.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([
      ["broken", "SUCCESS"],
      ["later", "SUCCESS"],
    ]);
  });
});

describe("Subflow", () => {
  const child = `id: child
namespace: qa.sub
inputs:
  - id: n
    type: INT
tasks:
  - id: check
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ inputs.n < 0 }}"
  - id: echo
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.n * 10 }} from {{ trigger.flowId }}"
outputs:
  - id: result
    type: STRING
    value: "{{ outputs.echo.value }}"
`;
  const parent = (id: string, extra = "", n = "{{ inputs.n }}") => `id: ${id}
namespace: qa
inputs:
  - id: n
    type: INT
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: qa.sub
    flowId: child
    inputs:
      n: "${n}"
${extra}  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "child said {{ outputs.call.outputs.result ?? 'nothing' }}"
`;
  const json = (n: number) => ({ body: JSON.stringify({ n }), headers: { "Content-Type": "application/json" } });

  it("waits for the child, maps its outputs and passes parent info and the correlation id", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, child);
    await saveFlow(tenant, parent("caller"));
    const ex = await runFlow(tenant, "qa", "caller", json(4));
    expect(ex.state.current).toBe("SUCCESS");
    const call = ex.taskRunList.find((r) => r.taskId === "call")!;
    expect(call.outputs).toMatchObject({ state: "SUCCESS", outputs: { result: "40 from caller" } });
    const childEx = await getExecution(tenant, String(call.outputs!.executionId));
    expect(childEx.trigger).toMatchObject({
      type: "io.kestra.plugin.core.flow.Subflow",
      variables: { executionId: ex.id, flowId: "caller", namespace: "qa" },
    });
    expect(childEx.labels).toContainEqual({ key: "system.correlationId", value: ex.id });
    expect((await logsOf(tenant, ex.id)).map((l) => l.message)).toContain("child said 40 from caller");
  });

  it("fails the task when the child fails, unless transmitFailed is false", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, child);
    await saveFlow(tenant, parent("strict"));
    await saveFlow(tenant, parent("lenient", "    transmitFailed: false\n"));
    const strict = await runFlow(tenant, "qa", "strict", json(-1));
    expect(strict.state.current).toBe("FAILED");
    expect(stateOf(strict, "call")).toBe("FAILED");
    expect(stateOf(strict, "after")).toBeUndefined();
    const lenient = await runFlow(tenant, "qa", "lenient", json(-1));
    expect(lenient.state.current).toBe("SUCCESS");
    expect(lenient.taskRunList.find((r) => r.taskId === "call")!.outputs).toMatchObject({ state: "FAILED" });
  });

  it("with wait: false succeeds at once with the child's id", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, child);
    await saveFlow(tenant, parent("fire", "    wait: false\n"));
    const ex = await runFlow(tenant, "qa", "fire", json(1));
    expect(ex.state.current).toBe("SUCCESS");
    const id = String(ex.taskRunList[0]!.outputs!.executionId);
    expect((await settled(tenant, id, (e) => e.state.current === "SUCCESS")).parentId).toBeUndefined();
  });

  it("fails clearly for a missing child flow", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, parent("orphan"));
    const ex = await runFlow(tenant, "qa", "orphan", json(1));
    expect(ex.state.current).toBe("FAILED");
    expect((await logsOf(tenant, ex.id)).map((l) => l.message)).toContain("Unable to find the subflow 'qa.sub.child'");
  });

  it("kills the child when the parent is killed", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: sleeper\nnamespace: qa.sub\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n`,
    );
    await saveFlow(
      tenant,
      `id: holder\nnamespace: qa\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: qa.sub\n    flowId: sleeper\n`,
    );
    const started = await startFlow(tenant, "qa", "holder");
    const running = await settled(tenant, started.id, (e) => e.taskRunList[0]?.state.current === "RUNNING");
    let childId: string | undefined;
    for (let i = 0; i < 100 && !childId; i++) {
      const found = (await (await tenant.fetch("executions/search?flowId=sleeper")).json()) as {
        results: ExecutionJson[];
      };
      childId = found.results[0]?.id;
      if (!childId) await new Promise((r) => setTimeout(r, 20));
    }
    expect(childId).toBeDefined();
    void running;
    expect((await tenant.fetch(`executions/${started.id}/kill`, { method: "DELETE" })).status).toBe(202);
    expect((await settled(tenant, childId!, (e) => e.state.current === "KILLED")).state.current).toBe("KILLED");
  });

  it("a child's end delivered twice changes the parent once", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, child);
    await saveFlow(tenant, parent("twice"));
    const ex = await runFlow(tenant, "qa", "twice", json(2));
    const call = ex.taskRunList.find((r) => r.taskId === "call")!;
    const stub = env.EXECUTIONS.get(env.EXECUTIONS.idFromName(`${tenant.tenantId}:${ex.id}`));
    await runInDurableObject(stub, (instance: ExecutionDurableObject) =>
      instance.childEnded(call.id, String(call.outputs!.executionId), "FAILED", {}),
    );
    const again = await getExecution(tenant, ex.id);
    expect(again.taskRunList).toEqual(ex.taskRunList);
    expect(again.state.current).toBe("SUCCESS");
  });
});
