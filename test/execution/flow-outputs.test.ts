import { describe, expect, it } from "vitest";
import { logsOf, runFlow, saveFlow, settled } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";

describe("typed flow outputs", () => {
  it("every declared type gives a value of that type in execution.outputs", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      [
        "id: typed",
        "namespace: qa",
        "tasks:",
        "  - id: values",
        "    type: io.kestra.plugin.core.output.OutputValues",
        "    values:",
        '      list: \'["a","b"]\'',
        "      n: '42'",
        "      f: '1.5'",
        "      ok: 'true'",
        "      when: '2024-01-02T03:04:05Z'",
        "      map: '{\"k\":[1,2]}'",
        "outputs:",
        "  - id: array",
        "    type: ARRAY",
        '    value: "{{ outputs.values.values.list }}"',
        "  - id: ints",
        "    type: ARRAY",
        "    itemType: INT",
        "    value: '[1, \"2\"]'",
        "  - id: json",
        "    type: JSON",
        '    value: "{{ outputs.values.values.map }}"',
        "  - id: int",
        "    type: INT",
        '    value: "{{ outputs.values.values.n }}"',
        "  - id: float",
        "    type: FLOAT",
        '    value: "{{ outputs.values.values.f }}"',
        "  - id: bool",
        "    type: BOOLEAN",
        '    value: "{{ outputs.values.values.ok }}"',
        "  - id: datetime",
        "    type: DATETIME",
        '    value: "{{ outputs.values.values.when }}"',
        "  - id: text",
        "    type: STRING",
        "    value: {a: 1}",
        "",
      ].join("\n"),
    );
    const ex = await runFlow(tenant, "qa", "typed");
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.outputs).toEqual({
      array: ["a", "b"],
      ints: [1, 2],
      json: { k: [1, 2] },
      int: 42,
      float: 1.5,
      bool: true,
      datetime: "2024-01-02T03:04:05Z",
      text: '{"a":1}',
    });
  });

  it("a value that is not of its output's type fails the execution and leaves no outputs", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      [
        "id: mistyped",
        "namespace: qa",
        "tasks:",
        "  - id: hi",
        "    type: io.kestra.plugin.core.log.Log",
        "    message: hi",
        "outputs:",
        "  - id: array",
        "    type: ARRAY",
        "    value: not a list",
        "",
      ].join("\n"),
    );
    const ex = await runFlow(tenant, "qa", "mistyped");
    expect(ex.state.current).toBe("FAILED");
    expect(ex.outputs).toBeUndefined();
  });
});

describe("afterExecution", () => {
  it("renders execution.outputs and execution.state of the ended execution", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      [
        "id: after",
        "namespace: qa",
        "tasks:",
        "  - id: hi",
        "    type: io.kestra.plugin.core.debug.Return",
        "    format: hello",
        "outputs:",
        "  - id: greeting",
        "    type: STRING",
        '    value: "{{ outputs.hi.value }}"',
        "  - id: items",
        "    type: ARRAY",
        "    value: '[1,2]'",
        "afterExecution:",
        "  - id: report",
        "    type: io.kestra.plugin.core.log.Log",
        '    message: "{{ execution.state }} {{ execution.outputs.greeting }} {{ execution.outputs.items[1] }}"',
        "",
      ].join("\n"),
    );
    const done = await runFlow(tenant, "qa", "after");
    expect(done.state.current).toBe("SUCCESS");
    const ex = await settled(tenant, done.id, (e) =>
      e.taskRunList.some((r) => r.taskId === "report" && ["SUCCESS", "FAILED"].includes(r.state.current)),
    );
    expect(ex.taskRunList.find((r) => r.taskId === "report")?.state.current).toBe("SUCCESS");
    const logs = await logsOf(tenant, ex.id);
    expect(logs.map((l) => l.message)).toContain("SUCCESS hello 2");
  });

  it("sees execution.state FAILED after a failure", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      [
        "id: after-fail",
        "namespace: qa",
        "tasks:",
        "  - id: boom",
        "    type: io.kestra.plugin.core.execution.Fail",
        "afterExecution:",
        "  - id: report",
        "    type: io.kestra.plugin.core.log.Log",
        '    message: "ended {{ execution.state }}"',
        "",
      ].join("\n"),
    );
    const done = await runFlow(tenant, "qa", "after-fail");
    expect(done.state.current).toBe("FAILED");
    await settled(tenant, done.id, (e) =>
      e.taskRunList.some((r) => r.taskId === "report" && r.state.current === "SUCCESS"),
    );
    expect((await logsOf(tenant, done.id)).map((l) => l.message)).toContain("ended FAILED");
  });
});

describe("the tasks variable", () => {
  it("gives each task's current state, by loop value inside a loop, as Kestra's tasks.<id>.state", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      [
        "id: states",
        "namespace: qa",
        "tasks:",
        "  - id: t1",
        "    type: io.kestra.plugin.core.debug.Return",
        "    format: one",
        "  - id: each",
        "    type: io.kestra.plugin.core.flow.ForEach",
        '    values: ["a", "b"]',
        "    tasks:",
        "      - id: inner",
        "        type: io.kestra.plugin.core.debug.Return",
        '        format: "{{ taskrun.value }}"',
        "  - id: report",
        "    type: io.kestra.plugin.core.log.Log",
        '    message: "{{ tasks.t1.state }} {{ tasks.inner.a.state }} {{ tasks.inner.b.state }} {{ tasks.each.state }} {{ tasks.report.state }}"',
        "",
      ].join("\n"),
    );
    const ex = await runFlow(tenant, "qa", "states");
    expect(ex.state.current).toBe("SUCCESS");
    expect((await logsOf(tenant, ex.id)).map((l) => l.message)).toEqual(["SUCCESS SUCCESS SUCCESS SUCCESS RUNNING"]);
  });
});
