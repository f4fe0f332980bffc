// templating.TemplatedTask end to end (spec §5): the rendered spec is one runnable task, validated
// by the flow model and run in place of the TemplatedTask with the same context.
import { describe, expect, it } from "vitest";
import { form, runSource, states } from "./run";

const TEMPLATED = "io.kestra.plugin.core.templating.TemplatedTask";

describe("TemplatedTask", () => {
  it("renders its spec into a task whose property names and values come from inputs, then runs it", async () => {
    const r = await runSource(
      "templated_log",
      `
inputs:
  - id: prop
    type: STRING
    defaults: message
tasks:
  - id: templated
    type: ${TEMPLATED}
    spec: |
      type: io.kestra.plugin.core.log.Log
      level: WARN
      {{ inputs.prop }}: "hello from {{ task.id }} {% raw %}{{ taskrun.attemptsCount }}{% endraw %}"
`,
      { body: form({ prop: "message" }) },
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.ex.taskRunList.map((x) => x.taskId)).toEqual(["templated"]);
    expect(await r.logs("templated")).toEqual(["hello from templated 0"]);
  });

  it("the inner task's outputs and metrics are the TemplatedTask run's, addressable by its id", async () => {
    const r = await runSource(
      "templated_return",
      `
tasks:
  - id: templated
    type: ${TEMPLATED}
    spec: |
      id: inner
      type: io.kestra.core.tasks.debugs.Return
      format: "{{ 6 * 7 }}"
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.templated.value }}"
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    const run = r.run("templated");
    expect(run.outputs).toEqual({ value: "42" });
    expect(run.attempts[0]?.metrics?.map((m) => m.name).sort()).toEqual(["duration", "length"]);
    expect(await r.logs("after")).toEqual(["42"]);
  });

  const refused = [
    [
      "a nested TemplatedTask",
      `type: ${TEMPLATED}\n      spec: "type: io.kestra.plugin.core.log.Log"`,
      "cannot template another TemplatedTask",
    ],
    [
      "a flowable task",
      "type: io.kestra.plugin.core.flow.Sequential\n      tasks:\n        - id: x\n          type: io.kestra.plugin.core.log.Log\n          message: x",
      "must be a runnable task",
    ],
    ["an unknown property", "type: io.kestra.plugin.core.log.Log\n      message: x\n      colour: red", "colour"],
    ["a missing required property", "type: io.kestra.plugin.core.log.Log", "message"],
    ["an unknown type", "type: io.kestra.plugin.nope.Nope", "Unknown task type"],
    ["a list instead of a task", "- a\n      - b", "mapping"],
  ] as const;
  for (const [what, spec, message] of refused) {
    it(`refuses ${what}: the task run FAILS with a message saying why`, async () => {
      const r = await runSource(
        "templated_refused",
        `
tasks:
  - id: templated
    type: ${TEMPLATED}
    spec: |
      ${spec}
`,
      );
      expect(r.ex.state.current).toBe("FAILED");
      expect(states(r, "templated")).toEqual(["FAILED"]);
      expect((await r.logs("templated")).join("\n")).toContain(message);
    });
  }

  it("a spec that cannot be rendered fails the task naming the variable", async () => {
    const r = await runSource(
      "templated_render",
      `
tasks:
  - id: templated
    type: ${TEMPLATED}
    spec: |
      type: io.kestra.plugin.core.log.Log
      message: "{{ missing_thing }}"
`,
    );
    expect(states(r, "templated")).toEqual(["FAILED"]);
    expect((await r.logs("templated")).join("\n")).toContain("missing_thing");
  });
});
