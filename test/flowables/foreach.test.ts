// ForEach end to end (spec §3.7, §5, §10.5–6): how values are read, de-duplicated and encoded, how
// null fails the loop, what every child carries, and how concurrencyLimit shapes the schedule.
import { describe, expect, it } from "vitest";
import { type RunJson, runSource, states } from "./run";

const LOG = "io.kestra.plugin.core.log.Log";
const FOREACH = "io.kestra.plugin.core.flow.ForEach";
const SLEEP = "io.kestra.plugin.core.flow.Sleep";

const created = (r: RunJson) => r.state.histories[0]!.date;
const ended = (r: RunJson) => r.state.histories[r.state.histories.length - 1]!.date;

describe("ForEach values", () => {
  it("a YAML list is de-duplicated, numbers become text and maps their JSON text; iteration counts distinct values", async () => {
    const r = await runSource(
      "list_values",
      `
tasks:
  - id: each
    type: ${FOREACH}
    values: [1, "a", 1, {k: "{{ 20 + 1 }}"}, "a", true]
    tasks:
      - id: log
        type: ${LOG}
        message: "{{ taskrun.value }}|{{ taskrun.iteration }}"
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    const logs = r.runs("log");
    expect(logs.map((x) => x.value)).toEqual(["1", "a", '{"k":"21"}', "true"]);
    expect(logs.map((x) => x.iteration)).toEqual([0, 1, 2, 3]);
    expect(logs.every((x) => x.parentTaskRunId === r.run("each").id)).toBe(true);
    expect(await r.logs("log")).toEqual(["1|0", "a|1", '{"k":"21"}|2', "true|3"]);
    expect(r.run("each").value).toBeUndefined();
  });

  it("a string is rendered (from inputs or outputs) and parsed as a JSON array", async () => {
    const r = await runSource(
      "string_values",
      `
inputs:
  - id: list
    type: JSON
    defaults: '["x", "y", "x", {"n": 1}]'
tasks:
  - id: from_inputs
    type: ${FOREACH}
    values: "{{ inputs.list }}"
    tasks:
      - id: a
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: '["p", "q"]'
  - id: from_outputs
    type: ${FOREACH}
    values: "{{ outputs.ret.value }}"
    tasks:
      - id: b
        type: ${LOG}
        message: "{{ taskrun.value }}"
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.runs("a").map((x) => x.value)).toEqual(["x", "y", '{"n":1}']);
    expect(r.runs("a").map((x) => x.outputs)).toEqual([{ value: "x" }, { value: "y" }, { value: '{"n":1}' }]);
    expect(await r.logs("b")).toEqual(["p", "q"]);
  });

  it("a null value fails the loop with Kestra's message and no child runs", async () => {
    const r = await runSource(
      "null_values",
      `
tasks:
  - id: each
    type: ${FOREACH}
    values: '[1, null, 2, null]'
    tasks:
      - id: log
        type: ${LOG}
        message: "{{ taskrun.value }}"
`,
    );
    expect(r.ex.state.current).toBe("FAILED");
    expect(r.run("each").state.current).toBe("FAILED");
    expect(r.runs("log")).toHaveLength(0);
    const [message] = await r.logs("each");
    expect(message).toBe("Found '2' null values on Each, with values=[1, null, 2, null]");
  });

  it("a string that is not a JSON array fails the loop, naming what it rendered", async () => {
    const r = await runSource(
      "bad_string",
      `
tasks:
  - id: each
    type: ${FOREACH}
    values: "{{ 'not json' }}"
    tasks:
      - id: log
        type: ${LOG}
        message: x
`,
    );
    expect(r.run("each").state.current).toBe("FAILED");
    expect((await r.logs("each")).join("\n")).toContain("not json");
  });

  it("an empty list ends SUCCESS with no child", async () => {
    const r = await runSource(
      "empty_values",
      `
tasks:
  - id: each
    type: ${FOREACH}
    values: "[]"
    tasks:
      - id: log
        type: ${LOG}
        message: x
  - id: after
    type: ${LOG}
    message: after
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(states(r, "each")).toEqual(["SUCCESS"]);
    expect(r.runs("log")).toHaveLength(0);
    expect(states(r, "after")).toEqual(["SUCCESS"]);
  });
});

describe("ForEach children and outputs", () => {
  it("nested loops address outputs by every value, outermost first, and currentEachOutput finds the current one", async () => {
    const r = await runSource(
      "nested_outputs",
      `
tasks:
  - id: outer
    type: ${FOREACH}
    values: ["o1", "o2"]
    tasks:
      - id: inner
        type: ${FOREACH}
        values: ["i1", "i2"]
        tasks:
          - id: ret
            type: io.kestra.plugin.core.debug.Return
            format: "{{ parents[0].taskrun.value }}-{{ taskrun.value }}"
          - id: current
            type: ${LOG}
            message: "{{ currentEachOutput(outputs.ret).value }} {{ outputs.ret[parent.taskrun.value][taskrun.value].value }}"
  - id: addressed
    type: ${LOG}
    message: "{{ outputs.ret['o2']['i1'].value }} {{ outputs.ret.o1.i2.value }}"
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.runs("ret").map((x) => x.outputs?.value)).toEqual(["o1-i1", "o1-i2", "o2-i1", "o2-i2"]);
    expect(r.runs("inner").map((x) => [x.value, x.iteration])).toEqual([
      ["o1", 0],
      ["o2", 1],
    ]);
    expect(r.runs("ret").map((x) => [x.value, x.iteration])).toEqual([
      ["i1", 0],
      ["i2", 1],
      ["i1", 0],
      ["i2", 1],
    ]);
    expect(await r.logs("current")).toEqual(["o1-i1 o1-i1", "o1-i2 o1-i2", "o2-i1 o2-i1", "o2-i2 o2-i2"]);
    expect(await r.logs("addressed")).toEqual(["o2-i1 o1-i2"]);
  });

  it("children of a flowable inside a loop do not inherit the loop value; parent/parents see it", async () => {
    const r = await runSource(
      "no_inherit",
      `
tasks:
  - id: each
    type: ${FOREACH}
    values: ["v1"]
    tasks:
      - id: seq
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - id: log
            type: ${LOG}
            message: "{{ taskrun.value ?? 'none' }} {{ parent.taskrun.value }} {{ parents | length }}"
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.run("seq").value).toBe("v1");
    expect(r.run("log").value).toBeUndefined();
    expect(r.run("log").iteration).toBeUndefined();
    expect(r.run("log").parentTaskRunId).toBe(r.run("seq").id);
    expect(await r.logs("log")).toEqual(["none v1 1"]);
  });
});

const loop = (limit: string) => `
tasks:
  - id: each
    type: ${FOREACH}
    values: ["a", "b", "c"]
    ${limit}
    tasks:
      - id: nap
        type: ${SLEEP}
        duration: PT0.2S
      - id: done
        type: ${LOG}
        message: "{{ taskrun.value }}"
`;

describe("ForEach concurrencyLimit", () => {
  it("defaults to 1: each value starts after the previous one ended, children in order", async () => {
    const r = await runSource("limit_default", loop(""));
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.ex.taskRunList.map((x) => `${x.taskId}:${x.value ?? ""}`)).toEqual([
      "each:",
      "nap:a",
      "done:a",
      "nap:b",
      "done:b",
      "nap:c",
      "done:c",
    ]);
    const naps = r.runs("nap");
    const dones = r.runs("done");
    expect(created(naps[1]!) >= ended(dones[0]!)).toBe(true);
    expect(created(naps[2]!) >= ended(dones[1]!)).toBe(true);
  });

  it("0 starts every value at once", async () => {
    const r = await runSource("limit_zero", loop("concurrencyLimit: 0"));
    expect(r.ex.state.current).toBe("SUCCESS");
    const naps = r.runs("nap");
    expect(naps.map((x) => x.value)).toEqual(["a", "b", "c"]);
    expect(new Set(naps.map(created)).size).toBe(1);
    expect(naps.every((n) => created(n) < ended(naps[0]!))).toBe(true);
    expect(r.runs("done")).toHaveLength(3);
  });

  it("2 runs two values together and the third once one of them ended", async () => {
    const r = await runSource("limit_two", loop("concurrencyLimit: 2"));
    expect(r.ex.state.current).toBe("SUCCESS");
    const naps = r.runs("nap");
    expect(naps.map((x) => x.value)).toEqual(["a", "b", "c"]);
    expect(created(naps[0]!)).toBe(created(naps[1]!));
    const firstGroupEnd = r
      .runs("done")
      .filter((d) => d.value !== "c")
      .map(ended)
      .sort()[0]!;
    expect(created(naps[2]!) >= firstGroupEnd).toBe(true);
  });
});

// ENGINE BUG (reported to the lead): the schema accepts a `{{ }}` template for concurrencyLimit
// (templInt), but worker/engine/nexts.ts `loopLimit`/`count` never render it: Number("{{ 0 }}") is
// NaN, so the loop silently falls back to 1 (strictly sequential) instead of 0 (all at once).
// Unskip once the limit is rendered (e.g. by the resolution) or refused by the schema.
describe("ForEach concurrencyLimit as a template", () => {
  it("'{{ 0 }}' is rendered and starts every value at once", async () => {
    const r = await runSource("limit_template", loop('concurrencyLimit: "{{ 0 }}"'));
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(new Set(r.runs("nap").map(created)).size).toBe(1);
  });
});

describe("deprecated EachSequential and EachParallel", () => {
  it("EachSequential (old type name) loops over `value` one value at a time", async () => {
    const r = await runSource(
      "each_sequential",
      `
tasks:
  - id: each
    type: io.kestra.core.tasks.flows.EachSequential
    value: ["a", "b", "a"]
    tasks:
      - id: nap
        type: ${SLEEP}
        duration: PT0.1S
      - id: log
        type: ${LOG}
        message: "{{ taskrun.value }}"
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(await r.logs("log")).toEqual(["a", "b"]);
    const naps = r.runs("nap");
    expect(created(naps[1]!) >= ended(r.runs("log")[0]!)).toBe(true);
  });

  it("EachParallel (old type name) runs every value at once and takes a JSON string", async () => {
    const r = await runSource(
      "each_parallel",
      `
tasks:
  - id: each
    type: io.kestra.core.tasks.flows.EachParallel
    value: '["a", "b", "c"]'
    tasks:
      - id: nap
        type: ${SLEEP}
        duration: PT0.2S
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    const naps = r.runs("nap");
    expect(naps.map((x) => [x.value, x.iteration])).toEqual([
      ["a", 0],
      ["b", 1],
      ["c", 2],
    ]);
    expect(new Set(naps.map(created)).size).toBe(1);
  });
});
