// Failure handling of flowables end to end (spec §2.4, §2.5, §3.1, §3.4, §10.1–2, §10.11–12):
// local errors and finally on Sequential and ForEach, AllowFailure, runIf, disabled tasks.
import { describe, expect, it } from "vitest";
import { type RunJson, runSource, states } from "./run";

const LOG = "io.kestra.plugin.core.log.Log";
const FAIL = "io.kestra.plugin.core.execution.Fail";
const SEQ = "io.kestra.plugin.core.flow.Sequential";

const created = (r: RunJson) => r.state.histories[0]!.date;
const ended = (r: RunJson) => r.state.histories[r.state.histories.length - 1]!.date;

describe("local errors and finally", () => {
  it("Sequential: a failure stops its siblings, runs its errors then its finally, and the flow still FAILS", async () => {
    const r = await runSource(
      "seq_errors",
      `
tasks:
  - id: seq
    type: ${SEQ}
    tasks:
      - id: ok
        type: ${LOG}
        message: ok
      - id: boom
        type: ${FAIL}
        errorMessage: "boom {{ task.id }}"
      - id: skipped_sibling
        type: ${LOG}
        message: never
    errors:
      - id: local_handler
        type: ${LOG}
        message: "local"
    finally:
      - id: local_finally
        type: ${LOG}
        message: "finally"
  - id: never
    type: ${LOG}
    message: never
errors:
  - id: flow_handler
    type: ${LOG}
    message: flow
finally:
  - id: flow_finally
    type: ${LOG}
    message: flow finally
`,
    );
    expect(r.ex.state.current).toBe("FAILED");
    expect(r.ex.taskRunList.map((x) => `${x.taskId}:${x.state.current}`)).toEqual([
      "seq:FAILED",
      "ok:SUCCESS",
      "boom:FAILED",
      "local_handler:SUCCESS",
      "local_finally:SUCCESS",
      "flow_handler:SUCCESS",
      "flow_finally:SUCCESS",
    ]);
    const seq = r.run("seq");
    expect(r.run("local_handler").parentTaskRunId).toBe(seq.id);
    expect(r.run("local_finally").parentTaskRunId).toBe(seq.id);
    expect(r.run("flow_handler").parentTaskRunId).toBeUndefined();
    expect(created(r.run("local_finally")) >= ended(r.run("local_handler"))).toBe(true);
    expect(await r.logs("boom")).toEqual(["boom boom"]);
  });

  it("Sequential finally runs after success too, and the Sequential waits for it", async () => {
    const r = await runSource(
      "seq_finally",
      `
tasks:
  - id: seq
    type: ${SEQ}
    tasks:
      - id: ok
        type: ${LOG}
        message: ok
    errors:
      - id: handler
        type: ${LOG}
        message: never
    finally:
      - id: fin
        type: io.kestra.plugin.core.debug.Return
        format: "{{ outputs.ok is defined }}"
  - id: after
    type: ${LOG}
    message: after
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.ex.taskRunList.map((x) => x.taskId)).toEqual(["seq", "ok", "fin", "after"]);
    expect(ended(r.run("seq")) >= ended(r.run("fin"))).toBe(true);
  });

  it("ForEach: a failing iteration stops later values, runs the loop's errors once, and fails the loop", async () => {
    const r = await runSource(
      "foreach_errors",
      `
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b", "c"]
    tasks:
      - id: maybe
        type: ${FAIL}
        condition: "{{ taskrun.value == 'b' }}"
        errorMessage: "fails on {{ taskrun.value }}"
    errors:
      - id: handler
        type: ${LOG}
        message: "handled"
`,
    );
    expect(r.ex.state.current).toBe("FAILED");
    expect(r.runs("maybe").map((x) => `${x.value}:${x.state.current}`)).toEqual(["a:SUCCESS", "b:FAILED"]);
    expect(states(r, "handler")).toEqual(["SUCCESS"]);
    expect(r.run("handler").parentTaskRunId).toBe(r.run("each").id);
    expect(states(r, "each")).toEqual(["FAILED"]);
    expect((await r.logs("maybe")).join("\n")).toContain("fails on b");
  });

  it("a failing errors task does not change the result (still FAILED) nor stop the next errors task, as in Kestra", async () => {
    const r = await runSource(
      "errors_fail",
      `
tasks:
  - id: seq
    type: ${SEQ}
    tasks:
      - id: boom
        type: ${FAIL}
    errors:
      - id: bad_handler
        type: ${FAIL}
      - id: second_handler
        type: ${LOG}
        message: second
`,
    );
    expect(r.ex.state.current).toBe("FAILED");
    expect(states(r, "bad_handler")).toEqual(["FAILED"]);
    expect(states(r, "second_handler")).toEqual(["SUCCESS"]);
  });
});

describe("AllowFailure", () => {
  it("a failed block becomes WARNING, its errors branch still runs, the flow goes on and ends WARNING", async () => {
    const r = await runSource(
      "allow_failure",
      `
tasks:
  - id: allowed
    type: io.kestra.plugin.core.flow.AllowFailure
    tasks:
      - id: boom
        type: ${FAIL}
      - id: never
        type: ${LOG}
        message: never
    errors:
      - id: handler
        type: ${LOG}
        message: handled
  - id: after
    type: ${LOG}
    message: after
`,
    );
    expect(r.ex.state.current).toBe("WARNING");
    expect(r.ex.taskRunList.map((x) => `${x.taskId}:${x.state.current}`)).toEqual([
      "allowed:WARNING",
      "boom:FAILED",
      "handler:SUCCESS",
      "after:SUCCESS",
    ]);
    expect(created(r.run("after")) >= ended(r.run("handler"))).toBe(true);
  });

  it("a successful block stays SUCCESS", async () => {
    const r = await runSource(
      "allow_failure_ok",
      `
tasks:
  - id: allowed
    type: io.kestra.plugin.core.flow.AllowFailure
    tasks:
      - id: fine
        type: ${LOG}
        message: fine
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(states(r, "allowed")).toEqual(["SUCCESS"]);
  });

  it("allowFailure on a flowable turns its failure into WARNING; allowWarning then into SUCCESS", async () => {
    const r = await runSource(
      "allow_props",
      `
tasks:
  - id: warned
    type: ${SEQ}
    allowFailure: true
    tasks:
      - id: boom1
        type: ${FAIL}
  - id: silenced
    type: ${SEQ}
    allowFailure: true
    allowWarning: true
    tasks:
      - id: boom2
        type: ${FAIL}
`,
    );
    expect(states(r, "warned")).toEqual(["WARNING"]);
    expect(states(r, "silenced")).toEqual(["SUCCESS"]);
    expect(r.ex.state.current).toBe("WARNING");
  });
});

describe("runIf and disabled", () => {
  it("runIf false makes the task run SKIPPED (no attempt) and the flow continues to SUCCESS", async () => {
    const r = await runSource(
      "run_if",
      `
tasks:
  - id: off
    type: ${FAIL}
    runIf: "{{ 1 == 2 }}"
  - id: off_flowable
    type: ${SEQ}
    runIf: "0"
    tasks:
      - id: inside
        type: ${LOG}
        message: never
  - id: on
    type: ${LOG}
    runIf: "{{ outputs.off is defined ? 'no' : 'yes' }}"
    message: on
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.ex.taskRunList.map((x) => `${x.taskId}:${x.state.current}`)).toEqual([
      "off:SKIPPED",
      "off_flowable:SKIPPED",
      "on:SUCCESS",
    ]);
    expect(r.run("off").attempts).toEqual([]);
    expect(await r.logs("on")).toEqual(["on"]);
  });

  it("a runIf that cannot be rendered fails that task, naming the variable", async () => {
    const r = await runSource(
      "run_if_error",
      `
tasks:
  - id: bad
    type: ${LOG}
    runIf: "{{ nope.flag }}"
    message: never
`,
    );
    expect(r.ex.state.current).toBe("FAILED");
    expect(states(r, "bad")).toEqual(["FAILED"]);
    expect((await r.logs("bad")).join("\n")).toContain("nope");
  });

  it("disabled tasks get no task run; a flowable whose children are all disabled ends SUCCESS", async () => {
    const r = await runSource(
      "disabled",
      `
tasks:
  - id: gone
    type: ${FAIL}
    disabled: true
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: gone_child
        type: ${FAIL}
        disabled: true
  - id: seq
    type: ${SEQ}
    tasks:
      - id: gone_first
        type: ${FAIL}
        disabled: true
      - id: kept
        type: ${LOG}
        message: kept
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [1, 2]
    tasks:
      - id: gone_loop
        type: ${FAIL}
        disabled: true
`,
    );
    expect(r.ex.state.current).toBe("SUCCESS");
    expect(r.ex.taskRunList.map((x) => `${x.taskId}:${x.state.current}`)).toEqual([
      "par:SUCCESS",
      "seq:SUCCESS",
      "kept:SUCCESS",
      "each:SUCCESS",
    ]);
  });
});
