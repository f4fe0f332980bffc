// Subflow properties Kestra documents beyond the basics (spec §5): the deprecated `outputs` map,
// inheritLabels, labels, revision and scheduleDate.
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { getExecution, logsOf, runFlow, saveFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const SUBFLOW = "io.kestra.plugin.core.flow.Subflow";

const child = `id: child
namespace: qa.sub
labels:
  own: child
tasks:
  - id: greet
    type: io.kestra.plugin.core.debug.Return
    format: "hello {{ labels.team ?? 'nobody' }}"
`;

function caller(id: string, props: string, extraFlow = ""): string {
  return `id: ${id}
namespace: qa
${extraFlow}tasks:
  - id: call
    type: ${SUBFLOW}
    namespace: qa.sub
    flowId: child
${props}  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "got {{ outputs.call.outputs.greeting ?? 'nothing' }}"
`;
}

async function childOf(tenant: TestTenant, ex: ExecutionJson): Promise<ExecutionJson> {
  const call = ex.taskRunList.find((r) => r.taskId === "call")!;
  return getExecution(tenant, String(call.outputs!.executionId));
}

describe("Subflow's deprecated outputs map", () => {
  it("is rendered against the child's task outputs and shown as outputs.<task>.outputs.<key>", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, child);
    await saveFlow(tenant, caller("mapped", '    outputs:\n      greeting: "{{ outputs.greet.value }}!"\n'));
    const ex = await runFlow(tenant, "qa", "mapped");
    expect(ex.state.current).toBe("SUCCESS");
    const call = ex.taskRunList.find((r) => r.taskId === "call")!;
    expect(call.outputs).toMatchObject({ state: "SUCCESS", outputs: { greeting: "hello nobody!" } });
    expect((await logsOf(tenant, ex.id)).map((l) => l.message)).toContain("got hello nobody!");
  });

  it("a render error fails the Subflow task run though the child succeeded (WARNING with allowFailure)", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, child);
    await saveFlow(tenant, caller("broken", '    outputs:\n      greeting: "{{ outputs.missing.value }}"\n'));
    await saveFlow(
      tenant,
      caller("tolerant", '    allowFailure: true\n    outputs:\n      greeting: "{{ outputs.missing.value }}"\n'),
    );
    const ex = await runFlow(tenant, "qa", "broken");
    expect(ex.state.current).toBe("FAILED");
    const call = ex.taskRunList.find((r) => r.taskId === "call")!;
    expect(call.state.current).toBe("FAILED");
    expect(call.outputs).toMatchObject({ state: "SUCCESS" });
    expect((await childOf(tenant, ex)).state.current).toBe("SUCCESS");
    expect((await logsOf(tenant, ex.id)).some((l) => l.message.includes("subflow outputs"))).toBe(true);
    const tolerant = await runFlow(tenant, "qa", "tolerant");
    expect(tolerant.taskRunList.find((r) => r.taskId === "call")!.state.current).toBe("WARNING");
    expect(tolerant.state.current).toBe("WARNING");
  });
});

describe("Subflow labels, revision and scheduleDate", () => {
  it("inheritLabels passes the parent's labels; labels adds the task's own; the child flow's stay", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, child);
    const props = '    inheritLabels: true\n    labels:\n      extra: "{{ flow.id }}"\n';
    await saveFlow(tenant, caller("inherits", props, "labels:\n  team: data\n"));
    await saveFlow(tenant, caller("keeps", "    labels:\n      extra: x\n", "labels:\n  team: data\n"));
    const ex = await runFlow(tenant, "qa", "inherits");
    const inherited = await childOf(tenant, ex);
    expect(inherited.labels).toEqual(
      expect.arrayContaining([
        { key: "team", value: "data" },
        { key: "extra", value: "inherits" },
        { key: "own", value: "child" },
        { key: "system.correlationId", value: ex.id },
      ]),
    );
    expect(inherited.taskRunList[0]!.outputs).toEqual({ value: "hello data" });
    const kept = await childOf(tenant, await runFlow(tenant, "qa", "keeps"));
    expect(kept.labels.map((l) => l.key)).not.toContain("team");
    expect(kept.labels).toEqual(expect.arrayContaining([{ key: "extra", value: "x" }]));
  });

  it("revision runs that revision of the child flow", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, child);
    const update = await tenant.fetch("flows/qa.sub/child", {
      method: "PUT",
      headers: { "Content-Type": "application/x-yaml" },
      body: child.replace("hello", "bye"),
    });
    expect(update.status).toBe(200);
    await saveFlow(tenant, caller("pinned", "    revision: 1\n"));
    await saveFlow(tenant, caller("latest", ""));
    const pinned = await childOf(tenant, await runFlow(tenant, "qa", "pinned"));
    expect(pinned.flowRevision).toBe(1);
    expect(pinned.taskRunList[0]!.outputs).toEqual({ value: "hello nobody" });
    const latest = await childOf(tenant, await runFlow(tenant, "qa", "latest"));
    expect(latest.flowRevision).toBe(2);
    expect(latest.taskRunList[0]!.outputs).toEqual({ value: "bye nobody" });
  });

  it("scheduleDate creates the child CREATED, to start at that date", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, child);
    const at = new Date(Date.now() + 3_600_000).toISOString();
    await saveFlow(tenant, caller("later", `    wait: false\n    scheduleDate: "${at}"\n`));
    const ex = await runFlow(tenant, "qa", "later");
    expect(ex.state.current).toBe("SUCCESS");
    const scheduled = await childOf(tenant, ex);
    expect(scheduled.state.current).toBe("CREATED");
    expect(Date.parse(String(scheduled.scheduleDate))).toBe(Date.parse(at));
  });
});
