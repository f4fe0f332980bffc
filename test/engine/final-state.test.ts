// The final-state rule of spec §2.4 and the WARNING semantics of §2.5, end to end through the
// engine: which task runs exist, which states they end in, and what the execution ends with.
import { describe, expect, it } from "vitest";
import { allowFailure, buildFlow, log, seq } from "./build";
import { Driver } from "./driver";

describe("final execution state (§2.4)", () => {
  it("ends SUCCESS when every top-level task succeeds, with the documented histories", () => {
    const d = new Driver(buildFlow({ tasks: [log("a"), log("b")] })).runToEnd();
    expect(d.historyOf(d.execution)).toEqual(["CREATED", "RUNNING", "SUCCESS"]);
    expect(d.historyOf(d.run("a"))).toEqual(["CREATED", "RUNNING", "SUCCESS"]);
    expect(d.historyOf(d.run("a").attempts[0]!)).toEqual(["CREATED", "RUNNING", "SUCCESS"]);
    expect(d.stateOf("b")).toBe("SUCCESS");
    expect(d.endedAt).toBeDefined();
  });

  it("runs top-level tasks one after the other", () => {
    const d = new Driver(buildFlow({ tasks: [log("a"), log("b")] })).runToEnd();
    const aEnd = Date.parse(d.run("a").state.histories.at(-1)!.date);
    const bStart = Date.parse(d.run("b").state.histories[0]!.date);
    expect(bStart).toBeGreaterThanOrEqual(aEnd);
  });

  it("a failure stops the remaining siblings and the execution ends FAILED", () => {
    const d = new Driver(buildFlow({ tasks: [log("a"), log("b")] }), { script: { a: { state: "FAILED" } } }).runToEnd();
    expect(d.stateOf("a")).toBe("FAILED");
    expect(d.runs("b")).toHaveLength(0);
    expect(d.execution.state.current).toBe("FAILED");
  });

  it("the errors branch runs after a failure but the execution still ends FAILED", () => {
    const d = new Driver(buildFlow({ tasks: [log("a"), log("b")], errors: [log("e1"), log("e2")] }), {
      script: { a: { state: "FAILED" } },
    }).runToEnd();
    expect(d.stateOf("e1")).toBe("SUCCESS");
    expect(d.stateOf("e2")).toBe("SUCCESS");
    expect(d.runs("b")).toHaveLength(0);
    expect(d.execution.state.current).toBe("FAILED");
  });

  it("the errors branch does not run when nothing failed", () => {
    const d = new Driver(buildFlow({ tasks: [log("a")], errors: [log("e")] })).runToEnd();
    expect(d.runs("e")).toHaveLength(0);
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("a failure inside the errors branch leaves the execution FAILED and the next errors task still runs", () => {
    const d = new Driver(buildFlow({ tasks: [log("a")], errors: [log("e1"), log("e2")] }), {
      script: { a: { state: "FAILED" }, e1: { state: "FAILED" } },
    }).runToEnd();
    expect(d.stateOf("e1")).toBe("FAILED");
    expect(d.stateOf("e2")).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("FAILED");
  });

  it("a WARNING task makes the execution WARNING and its siblings continue", () => {
    const d = new Driver(buildFlow({ tasks: [log("a"), log("b")] }), {
      script: { a: { state: "WARNING" } },
    }).runToEnd();
    expect(d.stateOf("b")).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("WARNING");
  });

  it("FAILED outranks WARNING", () => {
    const d = new Driver(buildFlow({ tasks: [log("a"), log("b")] }), {
      script: { a: { state: "WARNING" }, b: { state: "FAILED" } },
    }).runToEnd();
    expect(d.execution.state.current).toBe("FAILED");
  });

  it("a SKIPPED task counts as success", () => {
    const d = new Driver(buildFlow({ tasks: [log("a"), log("b")] }), {
      script: { a: { state: "SKIPPED" } },
    }).runToEnd();
    expect(d.stateOf("a")).toBe("SKIPPED");
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("allowFailure turns a failure into WARNING and the next task runs", () => {
    const d = new Driver(buildFlow({ tasks: [log("a", { allowFailure: true }), log("b")], errors: [log("e")] }), {
      script: { a: { state: "FAILED" } },
    }).runToEnd();
    expect(d.stateOf("a")).toBe("WARNING");
    expect(d.stateOf("b")).toBe("SUCCESS");
    expect(d.runs("e")).toHaveLength(0);
    expect(d.execution.state.current).toBe("WARNING");
  });

  it("allowFailure with allowWarning turns a failure into SUCCESS", () => {
    const extra = { allowFailure: true, allowWarning: true };
    const d = new Driver(buildFlow({ tasks: [log("a", extra)] }), { script: { a: { state: "FAILED" } } }).runToEnd();
    expect(d.stateOf("a")).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("allowWarning alone turns WARNING into SUCCESS but leaves a failure FAILED", () => {
    const w = new Driver(buildFlow({ tasks: [log("a", { allowWarning: true })] }), {
      script: { a: { state: "WARNING" } },
    }).runToEnd();
    expect(w.stateOf("a")).toBe("SUCCESS");
    const f = new Driver(buildFlow({ tasks: [log("a", { allowWarning: true })] }), {
      script: { a: { state: "FAILED" } },
    }).runToEnd();
    expect(f.stateOf("a")).toBe("FAILED");
    expect(f.execution.state.current).toBe("FAILED");
  });

  it("runIf false gives a SKIPPED task run without attempts and the execution succeeds", () => {
    const d = new Driver(buildFlow({ tasks: [log("a", { runIf: "false" }), log("b")] })).runToEnd();
    expect(d.stateOf("a")).toBe("SKIPPED");
    expect(d.run("a").attempts).toHaveLength(0);
    expect(d.stateOf("b")).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("runIf true runs the task after resolving it", () => {
    const d = new Driver(buildFlow({ tasks: [log("a", { runIf: "yes" })] })).runToEnd();
    expect(d.stateOf("a")).toBe("SUCCESS");
    expect(d.commands.filter((c) => c.type === "resolve")).toHaveLength(1);
  });

  it("a runIf that cannot be evaluated fails the task", () => {
    const d = new Driver(buildFlow({ tasks: [log("a", { runIf: "{{ nope }}" })] }), {
      resolutions: { a: { ok: false, error: "unknown variable nope" } },
    }).runToEnd();
    expect(d.stateOf("a")).toBe("FAILED");
    expect(d.execution.state.current).toBe("FAILED");
  });

  it("a disabled task gets no task run", () => {
    const d = new Driver(buildFlow({ tasks: [log("a", { disabled: true }), log("b")] })).runToEnd();
    expect(d.runs("a")).toHaveLength(0);
    expect(d.state.taskRuns.map((r) => r.taskId)).toEqual(["b"]);
    expect(d.execution.state.current).toBe("SUCCESS");
  });
});

describe("flowables and the final state", () => {
  it("WARNING bubbles up through nested flowables to the execution", () => {
    const d = new Driver(buildFlow({ tasks: [seq("outer", [seq("inner", [log("a")])])] }), {
      script: { a: { state: "WARNING" } },
    }).runToEnd();
    expect(d.stateOf("inner")).toBe("WARNING");
    expect(d.stateOf("outer")).toBe("WARNING");
    expect(d.execution.state.current).toBe("WARNING");
  });

  it("a failure inside a Sequential fails it, its later children and siblings do not run", () => {
    const d = new Driver(buildFlow({ tasks: [seq("s", [log("a"), log("b")]), log("c")] }), {
      script: { a: { state: "FAILED" } },
    }).runToEnd();
    expect(d.stateOf("s")).toBe("FAILED");
    expect(d.runs("b")).toHaveLength(0);
    expect(d.runs("c")).toHaveLength(0);
    expect(d.execution.state.current).toBe("FAILED");
  });

  it("flowable task runs get no attempts and point their children at them", () => {
    const d = new Driver(buildFlow({ tasks: [seq("s", [log("a")])] })).runToEnd();
    expect(d.run("s").attempts).toHaveLength(0);
    expect(d.run("a").parentTaskRunId).toBe(d.run("s").id);
    expect(d.historyOf(d.run("s"))).toEqual(["CREATED", "RUNNING", "SUCCESS"]);
  });

  it("the AllowFailure flowable turns its children's failure into WARNING and runs its errors", () => {
    const flow = buildFlow({ tasks: [allowFailure("af", [log("a"), log("b")], { errors: [log("e")] }), log("c")] });
    const d = new Driver(flow, { script: { a: { state: "FAILED" } } }).runToEnd();
    expect(d.stateOf("a")).toBe("FAILED");
    expect(d.runs("b")).toHaveLength(0);
    expect(d.stateOf("e")).toBe("SUCCESS");
    expect(d.stateOf("af")).toBe("WARNING");
    expect(d.stateOf("c")).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("WARNING");
  });

  it("allowFailure on a flowable makes its failure WARNING", () => {
    const flow = buildFlow({ tasks: [seq("s", [log("a")], { allowFailure: true }), log("c")] });
    const d = new Driver(flow, { script: { a: { state: "FAILED" } } }).runToEnd();
    expect(d.stateOf("s")).toBe("WARNING");
    expect(d.stateOf("c")).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("WARNING");
  });

  it("a flowable whose children are all disabled ends SUCCESS with no child task run", () => {
    const d = new Driver(buildFlow({ tasks: [seq("s", [log("a", { disabled: true })])] })).runToEnd();
    expect(d.stateOf("s")).toBe("SUCCESS");
    expect(d.runs("a")).toHaveLength(0);
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("a runIf false on a flowable skips it and none of its children run", () => {
    const d = new Driver(buildFlow({ tasks: [seq("s", [log("a")], { runIf: "0" })] })).runToEnd();
    expect(d.stateOf("s")).toBe("SKIPPED");
    expect(d.runs("a")).toHaveLength(0);
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("local errors of a Sequential run, the Sequential and the execution still end FAILED", () => {
    const flow = buildFlow({
      tasks: [seq("s", [log("a")], { errors: [log("e")] }), log("c")],
      errors: [log("flowErr")],
    });
    const d = new Driver(flow, { script: { a: { state: "FAILED" } } }).runToEnd();
    expect(d.stateOf("e")).toBe("SUCCESS");
    expect(d.run("e").parentTaskRunId).toBe(d.run("s").id);
    expect(d.stateOf("s")).toBe("FAILED");
    expect(d.runs("c")).toHaveLength(0);
    expect(d.stateOf("flowErr")).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("FAILED");
  });
});

describe("finally and afterExecution", () => {
  it("finally runs after success", () => {
    const d = new Driver(buildFlow({ tasks: [log("a")], finally: [log("f")] })).runToEnd();
    expect(d.stateOf("f")).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("finally runs after failure and after the errors branch", () => {
    const d = new Driver(buildFlow({ tasks: [log("a")], errors: [log("e")], finally: [log("f")] }), {
      script: { a: { state: "FAILED" } },
    }).runToEnd();
    const eEnd = Date.parse(d.run("e").state.histories.at(-1)!.date);
    expect(Date.parse(d.run("f").state.histories[0]!.date)).toBeGreaterThanOrEqual(eEnd);
    expect(d.stateOf("f")).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("FAILED");
  });

  it("a failing finally task does not change a successful execution", () => {
    const d = new Driver(buildFlow({ tasks: [log("a")], finally: [log("f")] }), {
      script: { f: { state: "FAILED" } },
    }).runToEnd();
    expect(d.stateOf("f")).toBe("FAILED");
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("afterExecution runs after the terminal state and cannot change it", () => {
    const d = new Driver(buildFlow({ tasks: [log("a")], afterExecution: [log("x"), log("y")] }), {
      script: { x: { state: "FAILED" } },
    }).runToEnd();
    const endDate = Date.parse(d.execution.state.histories.at(-1)!.date);
    expect(Date.parse(d.run("x").state.histories[0]!.date)).toBeGreaterThanOrEqual(endDate);
    expect(d.stateOf("x")).toBe("FAILED");
    expect(d.stateOf("y")).toBe("SUCCESS");
    expect(d.historyOf(d.execution)).toEqual(["CREATED", "RUNNING", "SUCCESS"]);
  });

  it("afterExecution also runs after a failure", () => {
    const d = new Driver(buildFlow({ tasks: [log("a")], afterExecution: [log("x")] }), {
      script: { a: { state: "FAILED" } },
    }).runToEnd();
    expect(d.stateOf("x")).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("FAILED");
  });

  it("a flow-level retry does not put a finished execution back into RETRYING for afterExecution", () => {
    const retry = { type: "constant", interval: "PT1S", maxAttempt: 3 };
    const d = new Driver(buildFlow({ retry, tasks: [log("a")], afterExecution: [log("x")] }), {
      script: { x: [{ state: "FAILED" }, { state: "SUCCESS" }] },
    }).runToEnd();
    expect(d.run("x").attempts).toHaveLength(2);
    expect(d.stateOf("x")).toBe("SUCCESS");
    expect(d.historyOf(d.execution)).toEqual(["CREATED", "RUNNING", "SUCCESS"]);
  });

  it("flow outputs are rendered before the end; a render error turns SUCCESS into FAILED", () => {
    const outputs = [{ id: "o", type: "STRING", value: "v" }];
    const ok = new Driver(buildFlow({ tasks: [log("a")], outputs })).runToEnd();
    expect(ok.execution.outputs).toEqual({ o: "v" });
    expect(ok.execution.state.current).toBe("SUCCESS");
    const bad = new Driver(buildFlow({ tasks: [log("a")], outputs }), { outputsError: "boom" }).runToEnd();
    expect(bad.execution.state.current).toBe("FAILED");
  });
});
