// The example flows of schema/examples, run unchanged through the public API, checked against what
// schema/examples/README.md says must happen.
import { describe, expect, it } from "vitest";
import { examples } from "./fixtures/examples";
import { logsOf, runFlow, saveFlow } from "./helpers/executions";
import { createTenant } from "./helpers/tenant";

describe("example flows (schema/examples)", () => {
  it("loop_parent.yaml: log_parent logs the enclosing loop value through parent.taskrun.value", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, examples.loop_parent!);
    const ex = await runFlow(tenant, "company.team", "loop_parent");
    expect(ex.state.current).toBe("SUCCESS");
    const count = (id: string) => ex.taskRunList.filter((r) => r.taskId === id).length;
    expect([count("log"), count("if"), count("log_parent")]).toEqual([2, 2, 2]);
    const lines = (await logsOf(tenant, ex.id)).filter((l) => l.taskId === "log_parent").map((l) => l.message);
    expect(lines).toEqual(["1", "2"]);
  });

  it("loop_parents.yaml: parents lists only ancestors with a value or outputs, closest first", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, examples.loop_parents!);
    const ex = await runFlow(tenant, "company.team", "loop_parents");
    expect(ex.state.current).toBe("SUCCESS");
    const lines = (await logsOf(tenant, ex.id)).filter((l) => l.taskId === "log_parent").map((l) => l.message);
    expect(lines).toEqual(['[{"taskrun":{"value":"1"}}]', '[{"taskrun":{"value":"2"}}]']);
  });

  it("each_switch.yaml: nested ForEach and Switch see parents[0] and parents[1] values", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, examples.each_switch!);
    const ex = await runFlow(tenant, "company.team", "each_switch");
    expect(ex.state.current).toBe("SUCCESS");
    const ids = ex.taskRunList.map((r) => r.taskId);
    expect(ids[0]).toBe("simple");
    expect(ids[ids.length - 1]).toBe("simple_again");
    const a = ex.taskRunList.find((r) => r.taskId === "hierarchy_2_a")!;
    expect(a.outputs).toEqual({ value: "hierarchy_2_a" });
    expect(ex.taskRunList.filter((r) => r.taskId === "hierarchy_2_b_first")).toHaveLength(1);
    const logs = await logsOf(tenant, ex.id);
    expect(logs.filter((l) => l.taskId === "switch_1").map((l) => l.message)).toEqual(["case1", "caseB"]);
    expect(logs.filter((l) => l.taskId === "switch_2").map((l) => l.message)).toEqual(["case2", "caseB"]);
  });

  it("hello-world.yaml (older type names): logs the default greeting, or the one posted as form data", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, examples["hello-world"]!);
    const plain = await runFlow(tenant, "dev", "hello-world");
    expect(plain.state.current).toBe("SUCCESS");
    expect((await logsOf(tenant, plain.id)).map((l) => l.message)).toEqual(["hey"]);
    const form = new FormData();
    form.set("greeting", "hey there");
    const posted = await runFlow(tenant, "dev", "hello-world", { body: form });
    expect((await logsOf(tenant, posted.id)).map((l) => l.message)).toEqual(["hey there"]);
  });

  it("myflow.yaml: a FILE input uploaded as multipart, keyed by the part's filename, is read back", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, examples.myflow!);
    const form = new FormData();
    form.set("files", new File(["hello from a file"], "myfile"));
    const ex = await runFlow(tenant, "mynamespace", "myflow", { body: form });
    expect(ex.state.current).toBe("SUCCESS");
    expect(String((ex.inputs as Record<string, unknown>).myfile)).toMatch(/^kestra:\/\/\//);
    expect((await logsOf(tenant, ex.id)).map((l) => l.message)).toEqual(["file's content hello from a file"]);
  });
});
