// Flowable rules in combination (spec §2.5, §3.1, §3.4, §3.7, §10.2): local errors on Switch, If and
// Dag, Dag failure, WARNING bubbling through nested flowables, runIf per loop value, and Switch
// outputs addressed by the enclosing loop value.
import { describe, expect, it } from "vitest";
import { type RunJson, runSource, states } from "./run";

const LOG = "io.kestra.plugin.core.log.Log";
const FAIL = "io.kestra.plugin.core.execution.Fail";

const created = (r: RunJson) => r.state.histories[0]!.date;
const ended = (r: RunJson) => r.state.histories[r.state.histories.length - 1]!.date;

describe("local errors on every flowable", () => {
  const cases = [
    [
      "Switch",
      `type: io.kestra.plugin.core.flow.Switch
    value: a
    cases:
      a:
        - id: boom
          type: ${FAIL}
        - id: never
          type: ${LOG}
          message: never`,
    ],
    [
      "If",
      `type: io.kestra.plugin.core.flow.If
    condition: "true"
    then:
      - id: boom
        type: ${FAIL}
      - id: never
        type: ${LOG}
        message: never`,
    ],
    [
      "Dag",
      `type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task:
          id: boom
          type: ${FAIL}
      - task:
          id: never
          type: ${LOG}
          message: never
        dependsOn: [boom]`,
    ],
    [
      "EachParallel",
      `type: io.kestra.plugin.core.flow.EachParallel
    value: ["x"]
    tasks:
      - id: boom
        type: ${FAIL}
      - id: never
        type: ${LOG}
        message: never`,
    ],
  ] as const;
  for (const [kind, body] of cases) {
    it(`${kind}: a failed child stops what follows it, the local errors run, the ${kind} FAILS`, async () => {
      const r = await runSource(
        `errors_${kind.toLowerCase()}`,
        `
tasks:
  - id: flowable
    ${body}
    errors:
      - id: handler
        type: ${LOG}
        message: "handled in {{ task.id }}"
`,
      );
      expect(r.ex.state.current).toBe("FAILED");
      expect(states(r, "flowable")).toEqual(["FAILED"]);
      expect(states(r, "boom")).toEqual(["FAILED"]);
      expect(r.runs("never")).toHaveLength(0);
      expect(r.run("handler").parentTaskRunId).toBe(r.run("flowable").id);
      expect(await r.logs("handler")).toEqual(["handled in handler"]);
      expect(ended(r.run("flowable")) >= ended(r.run("handler"))).toBe(true);
    });
  }
});

describe("WARNING and SKIPPED through nesting", () => {
  it("a WARNING deep inside bubbles to every ancestor and the execution; siblings keep going", async () => {
    const r = await runSource(
      "warning_bubbles",
      `
tasks:
  - id: outer
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
      - id: each
        type: io.kestra.plugin.core.flow.ForEach
        values: ["a", "b"]
        tasks:
          - id: inner
            type: io.kestra.plugin.core.flow.Parallel
            tasks:
              - id: flaky
                type: ${FAIL}
                allowFailure: true
                condition: "{{ parents[0].taskrun.value == 'b' }}"
      - id: next
        type: ${LOG}
        message: next
`,
    );
    expect(r.ex.state.current).toBe("WARNING");
    expect(r.runs("flaky").map((x) => x.state.current)).toEqual(["SUCCESS", "WARNING"]);
    expect(r.runs("inner").map((x) => `${x.value}:${x.state.current}`)).toEqual(["a:SUCCESS", "b:WARNING"]);
    expect(states(r, "each")).toEqual(["WARNING"]);
    expect(states(r, "outer")).toEqual(["WARNING"]);
    expect(states(r, "next")).toEqual(["SUCCESS"]);
  });

  it("runIf is rendered per loop value: one iteration's task is SKIPPED, the rest of that iteration runs", async () => {
    const r = await runSource(
      "run_if_loop",
      `
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b", "c"]
    tasks:
      - id: maybe
        type: ${LOG}
        runIf: "{{ taskrun.value != 'b' }}"
        message: "{{ taskrun.value }}"
      - id: always
        type: ${LOG}
        message: "{{ taskrun.value }}"
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.runs("maybe").map((x) => `${x.value}:${x.state.current}`)).toEqual([
      "a:SUCCESS",
      "b:SKIPPED",
      "c:SUCCESS",
    ]);
    expect(await r.logs("always")).toEqual(["a", "b", "c"]);
    expect(created(r.runs("always")[1]!) >= ended(r.runs("maybe")[1]!)).toBe(true);
  });
});

describe("outputs of flowables inside loops", () => {
  it("a Switch inside a ForEach carries the value; its outputs and its case's outputs nest by that value", async () => {
    const r = await runSource(
      "switch_in_loop",
      `
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [1, 2]
    tasks:
      - id: sw
        type: io.kestra.plugin.core.flow.Switch
        value: "{{ taskrun.value }}"
        cases:
          1:
            - id: ret
              type: io.kestra.plugin.core.debug.Return
              format: "one {{ parent.outputs.value }} {{ parent.taskrun.value }}"
        defaults:
          - id: ret_default
            type: io.kestra.plugin.core.debug.Return
            format: "other {{ parent.outputs.defaults }}"
  - id: summary
    type: ${LOG}
    message: "{{ outputs.sw['1'].defaults }} {{ outputs.sw['2'].defaults }} {{ outputs.ret['1'].value }} {{ outputs.ret_default['2'].value }}"
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.runs("sw").map((x) => [x.value, x.outputs])).toEqual([
      ["1", { value: "1", defaults: false }],
      ["2", { value: "2", defaults: true }],
    ]);
    expect(r.run("ret").value).toBeUndefined();
    expect(await r.logs("summary")).toEqual(["false true one 1 1 other true"]);
  });
});
