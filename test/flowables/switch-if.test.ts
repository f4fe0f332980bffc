// Switch and If end to end (spec §5, §10.7): case keys compared as strings, defaults, no match
// failing, the If sides and truthiness, and the outputs both expose to later tasks.
import { describe, expect, it } from "vitest";
import { form, runSource, states } from "./run";

const LOG = "io.kestra.plugin.core.log.Log";
const SWITCH = "io.kestra.plugin.core.flow.Switch";
const IF = "io.kestra.plugin.core.flow.If";

const switchFlow = (value: string, withDefaults = true) => `
inputs:
  - id: v
    type: STRING
    defaults: "none"
tasks:
  - id: sw
    type: ${SWITCH}
    value: ${value}
    cases:
      1:
        - id: one
          type: ${LOG}
          message: one
      2.5:
        - id: decimal
          type: ${LOG}
          message: decimal
      true:
        - id: yes
          type: ${LOG}
          message: yes
      "word":
        - id: word
          type: ${LOG}
          message: word
${
  withDefaults
    ? `    defaults:
      - id: fallback
        type: ${LOG}
        message: "fallback {{ parent.outputs.value ?? 'x' }}"`
    : ""
}
  - id: after
    type: ${LOG}
    message: "{{ outputs.sw.value }}|{{ outputs.sw.defaults }}"
`;

describe("Switch", () => {
  const picks = [
    ["a YAML integer key matches the rendered text '1'", '"{{ inputs.v }}"', "v=1", "one", "1"],
    ["a YAML number key 2.5 matches '2.5'", '"{{ inputs.v }}"', "v=2.5", "decimal", "2.5"],
    ["a YAML boolean key matches the rendered text 'true'", "\"{{ inputs.v == 'on' }}\"", "v=on", "yes", "true"],
    ["a numeric value written without quotes matches key 1", "1", "v=", "one", "1"],
    ["a string key matches", '"{{ inputs.v }}"', "v=word", "word", "word"],
  ] as const;
  for (const [name, value, query, task, rendered] of picks) {
    it(`${name}; outputs {value, defaults: false}`, async () => {
      const r = await runSource(`switch_${task}`, switchFlow(value), { body: form({ v: query.slice(2) }) });
      expect(r.ex.state.current).toBe("SUCCESS");
      expect(r.run(task).parentTaskRunId).toBe(r.run("sw").id);
      expect(r.run("sw").outputs).toEqual({ value: rendered, defaults: false });
      expect(r.ex.taskRunList.map((x) => x.taskId)).toEqual(["sw", task, "after"]);
      expect(await r.logs("after")).toEqual([`${rendered}|false`]);
    });
  }

  it("no matching case runs defaults; outputs {value, defaults: true}, visible to the default task as parent.outputs", async () => {
    const r = await runSource("switch_defaults", switchFlow('"{{ inputs.v }}"'), { body: form({ v: "3" }) });
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.ex.taskRunList.map((x) => x.taskId)).toEqual(["sw", "fallback", "after"]);
    expect(r.run("sw").outputs).toEqual({ value: "3", defaults: true });
    expect(await r.logs("fallback")).toEqual(["fallback 3"]);
    expect(await r.logs("after")).toEqual(["3|true"]);
  });

  it("no matching case and no defaults FAILS the Switch and the execution", async () => {
    const r = await runSource("switch_nomatch", switchFlow('"{{ inputs.v }}"', false), { body: form({ v: "3" }) });
    expect(r.ex.state.current).toBe("FAILED");
    expect(states(r, "sw")).toEqual(["FAILED"]);
    expect(r.ex.taskRunList.map((x) => x.taskId)).toEqual(["sw"]);
    expect((await r.logs("sw")).join("\n")).toContain("No task found");
  });

  it("an explicit `defaults: null` saves (Kestra reads it as no defaults) and no match then FAILS", async () => {
    const source = `${switchFlow('"{{ inputs.v }}"', false)}`.replace(
      "  - id: after",
      "    defaults: null\n    description: null\n  - id: after",
    );
    const r = await runSource("switch_null_defaults", source, { body: form({ v: "3" }) });
    expect(r.ex.state.current).toBe("FAILED");
    expect(states(r, "sw")).toEqual(["FAILED"]);
    expect(r.ex.taskRunList.map((x) => x.taskId)).toEqual(["sw"]);
  });

  it("case matching is exact text: '01' does not match key 1", async () => {
    const r = await runSource("switch_exact", switchFlow('"{{ inputs.v }}"'), { body: form({ v: "01" }) });
    expect(r.run("sw").outputs).toEqual({ value: "01", defaults: true });
    expect(r.runs("one")).toHaveLength(0);
  });
});

describe("If", () => {
  const ifFlow = (withElse: boolean) => `
inputs:
  - id: c
    type: STRING
    defaults: "true"
tasks:
  - id: check
    type: ${IF}
    condition: "{{ inputs.c }}"
    then:
      - id: on_true
        type: ${LOG}
        message: "then {{ parents | length }}"
${
  withElse
    ? `    else:
      - id: on_false
        type: ${LOG}
        message: "else {{ parents | length }}"`
    : ""
}
  - id: after
    type: ${LOG}
    message: after
`;

  it("a truthy condition ('False' is truthy) runs then; the If is not among its child's parents", async () => {
    const r = await runSource("if_true", ifFlow(true), { body: form({ c: "False" }) });
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.ex.taskRunList.map((x) => x.taskId)).toEqual(["check", "on_true", "after"]);
    expect(r.run("on_true").parentTaskRunId).toBe(r.run("check").id);
    expect(await r.logs("on_true")).toEqual(["then 0"]);
  });

  for (const falsy of ["false", "0", "-0", ""]) {
    it(`condition '${falsy}' runs else`, async () => {
      const r = await runSource("if_false", ifFlow(true), { body: form({ c: falsy }) });
      expect(r.ex.state.current).toBe("SUCCESS");
      expect(r.ex.taskRunList.map((x) => x.taskId)).toEqual(["check", "on_false", "after"]);
      expect(await r.logs("on_false")).toEqual(["else 0"]);
    });
  }

  it("a false condition with no else SUCCEEDS with no child, and the flow goes on", async () => {
    const r = await runSource("if_no_else", ifFlow(false), { body: form({ c: "0" }) });
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(states(r, "check")).toEqual(["SUCCESS"]);
    expect(r.ex.taskRunList.map((x) => x.taskId)).toEqual(["check", "after"]);
  });

  // ENGINE GAP (reported to the lead): Kestra's If outputs {evaluationResult} once it has ended,
  // but schema/examples/loop_parents.yaml requires that the If's children do not see those outputs
  // in `parents`. The engine applies a Resolution's outputs as soon as it is resolved, so
  // worker/tasks/flowables.ts cannot return them without breaking that example. Unskip once the
  // engine sets an If's outputs when it ends.
  it("after it ended, the If exposes outputs.<id>.evaluationResult to later tasks", async () => {
    const r = await runSource(
      "if_outputs",
      `
tasks:
  - id: yes
    type: ${IF}
    condition: "1"
    then:
      - id: in_yes
        type: ${LOG}
        message: "{{ parents | length }}"
  - id: no
    type: ${IF}
    condition: "0"
    then:
      - id: in_no
        type: ${LOG}
        message: never
  - id: after
    type: ${LOG}
    message: "{{ outputs.yes.evaluationResult }} {{ outputs.no.evaluationResult }}"
`,
    );
    expect(r.run("yes").outputs).toEqual({ evaluationResult: true });
    expect(r.run("no").outputs).toEqual({ evaluationResult: false });
    expect(await r.logs("in_yes")).toEqual(["0"]);
    expect(await r.logs("after")).toEqual(["true false"]);
  });

  it("an If directly in a loop carries the loop value; its children do not, and see it through parents", async () => {
    const r = await runSource(
      "if_in_loop",
      `
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a"]
    tasks:
      - id: check
        type: ${IF}
        condition: "true"
        then:
          - id: log
            type: ${LOG}
            message: "{{ parents | length }} {{ parent.taskrun.value }} {{ parents | json }}"
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.run("check").value).toBe("a");
    expect(r.run("log").value).toBeUndefined();
    expect(await r.logs("log")).toEqual(['1 a [{"taskrun":{"value":"a"}}]']);
  });
});
