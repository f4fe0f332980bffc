// execution.Resume end to end: a flow resumes another paused execution of its tenant with
// onResume inputs; never one of another tenant, nor one outside the namespace/flowId it names.
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { getExecution, runFlow, saveFlow, settled, startFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const waiter = `id: waiter
namespace: resume.test
tasks:
  - id: pause
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: approved
        type: BOOLEAN
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.pause.onResume.approved }}"
`;

const resumer = (extra = "") => `id: resumer
namespace: resume.test
inputs:
  - id: target
    type: STRING
tasks:
  - id: resume
    type: io.kestra.plugin.core.execution.Resume
    executionId: "{{ inputs.target }}"
    inputs:
      approved: true
    allowFailure: true
${extra}`;

async function resumeFrom(t: TestTenant, target: string): Promise<ExecutionJson> {
  const form = new FormData();
  form.set("target", target);
  return runFlow(t, "resume.test", "resumer", { body: form });
}

const resumeState = (ex: ExecutionJson) => ex.taskRunList.find((r) => r.taskId === "resume")?.state.current;

describe("execution.Resume", () => {
  it("resumes a paused execution of the same tenant with its onResume inputs, and nothing else", async () => {
    const a = await createTenant();
    await saveFlow(a, waiter);
    const paused = await startFlow(a, "resume.test", "waiter");
    await settled(a, paused.id, (ex) => ex.state.current === "PAUSED");

    // Another tenant naming the same id reaches nothing.
    const b = await createTenant();
    await saveFlow(b, resumer());
    expect(resumeState(await resumeFrom(b, paused.id))).toBe("WARNING");

    // The right tenant, but a flowId the execution is not of.
    await saveFlow(a, resumer("    flowId: someone-else\n    namespace: resume.test\n"));
    expect(resumeState(await resumeFrom(a, paused.id))).toBe("WARNING");
    expect((await getExecution(a, paused.id)).state.current).toBe("PAUSED");

    const res = await a.fetch("flows/resume.test/resumer", {
      method: "PUT",
      headers: { "Content-Type": "application/x-yaml" },
      body: resumer("    flowId: waiter\n    namespace: resume.test\n"),
    });
    expect(res.status).toBe(200);
    expect(resumeState(await resumeFrom(a, paused.id))).toBe("SUCCESS");
    const done = await settled(a, paused.id, (ex) => ex.state.current === "SUCCESS");
    expect(done.taskRunList.find((r) => r.taskId === "after")?.outputs).toEqual({ value: "true" });

    // Not paused any more: a second resume fails the task.
    expect(resumeState(await resumeFrom(a, paused.id))).toBe("WARNING");
  });

  it("refuses onResume inputs that do not validate (a required one missing), and resuming its own execution", async () => {
    const t = await createTenant();
    await saveFlow(t, waiter);
    const paused = await startFlow(t, "resume.test", "waiter");
    await settled(t, paused.id, (ex) => ex.state.current === "PAUSED");
    await saveFlow(
      t,
      `id: resumer\nnamespace: resume.test\ninputs:\n  - id: target\n    type: STRING\ntasks:\n  - id: resume\n    type: io.kestra.plugin.core.execution.Resume\n    executionId: "{{ inputs.target }}"\n    inputs:\n      other: 1\n    allowFailure: true\n  - id: self\n    type: io.kestra.plugin.core.execution.Resume\n    allowFailure: true\n`,
    );
    const ran = await resumeFrom(t, paused.id);
    expect(resumeState(ran)).toBe("WARNING");
    expect(ran.taskRunList.find((r) => r.taskId === "self")?.state.current).toBe("WARNING");
    expect((await getExecution(t, paused.id)).state.current).toBe("PAUSED");
  });
});
