// Scheduling of the flowable tasks (spec §3.2–§3.4, §5): Parallel, ForEach, Switch, If and Dag,
// observed through the task runs the engine creates and how many run at the same time.
import { describe, expect, it } from "vitest";
import type { TaskRun } from "../../worker/engine/types";
import { buildFlow, dag, forEach, ifTask, log, par, seq, switchTask } from "./build";
import { Driver } from "./driver";

const running = (r: TaskRun) => r.state.current === "RUNNING" || r.state.current === "CREATED";

/** The largest number of children of `parentTaskId` that were in flight after any single step. */
function maxInFlight(d: Driver, parentTaskId: string, key: (r: TaskRun) => string = (r) => r.id): () => number {
  let max = 0;
  d.observe((drv) => {
    const parent = drv.runs(parentTaskId)[0];
    if (!parent) return;
    const keys = new Set(drv.state.taskRuns.filter((r) => r.parentTaskRunId === parent.id && running(r)).map(key));
    max = Math.max(max, keys.size);
  });
  return () => max;
}

const startOf = (r: TaskRun) => Date.parse(r.state.histories[0]!.date);
const endOf = (r: TaskRun) => Date.parse(r.state.histories.at(-1)!.date);

describe("Parallel", () => {
  it("starts every child at once by default", () => {
    const d = new Driver(buildFlow({ tasks: [par("p", [log("a"), log("b"), log("c")])] }));
    const max = maxInFlight(d, "p");
    d.runToEnd();
    expect(max()).toBe(3);
    expect(d.stateOf("p")).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("concurrent bounds how many children run at the same time", () => {
    const tasks = ["a", "b", "c", "d", "e"].map((id) => log(id));
    const d = new Driver(buildFlow({ tasks: [par("p", tasks, { concurrent: 2 })] }));
    const max = maxInFlight(d, "p");
    d.runToEnd();
    expect(max()).toBe(2);
    expect(d.state.taskRuns.filter((r) => r.parentTaskRunId === d.run("p").id)).toHaveLength(5);
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("fails as soon as one child fails while its siblings are still running", () => {
    const flow = buildFlow({ tasks: [par("p", [log("fast"), log("slow")])], errors: [log("e")] });
    const d = new Driver(flow, {
      script: { fast: { state: "FAILED", durationMs: 100 }, slow: { durationMs: 5000 }, e: { durationMs: 10_000 } },
    });
    d.runUntil((x) => x.runs("p")[0]?.state.current === "FAILED");
    expect(d.stateOf("slow")).toBe("RUNNING");
    expect(d.runs("e")).toHaveLength(1);
    d.runToEnd();
    expect(d.stateOf("slow")).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("FAILED");
  });

  it("a WARNING child makes the Parallel WARNING", () => {
    const d = new Driver(buildFlow({ tasks: [par("p", [log("a"), log("b")])] }), {
      script: { b: { state: "WARNING" } },
    }).runToEnd();
    expect(d.stateOf("p")).toBe("WARNING");
    expect(d.execution.state.current).toBe("WARNING");
  });

  it("its errors run sequentially even though the Parallel itself is parallel", () => {
    const flow = buildFlow({ tasks: [par("p", [log("a")], { errors: [log("e1"), log("e2")] })] });
    const d = new Driver(flow, { script: { a: { state: "FAILED" } } }).runToEnd();
    expect(startOf(d.run("e2"))).toBeGreaterThanOrEqual(endOf(d.run("e1")));
    expect(d.stateOf("p")).toBe("FAILED");
  });
});

describe("ForEach", () => {
  const values = ["v1", "v2", "v3", "v4"];
  const loop = (extra: Record<string, unknown>) =>
    buildFlow({ tasks: [forEach("each", values, [log("first"), log("second")], extra)] });

  it("concurrencyLimit defaults to 1: strictly value by value, children in order", () => {
    const d = new Driver(loop({}));
    const max = maxInFlight(d, "each", (r) => String(r.iteration));
    d.runToEnd();
    expect(max()).toBe(1);
    const order = d.state.taskRuns.filter((r) => r.parentTaskRunId).map((r) => `${r.taskId}@${r.value}`);
    expect(order).toEqual(values.flatMap((v) => [`first@${v}`, `second@${v}`]));
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("concurrencyLimit 0 runs every value at once", () => {
    const d = new Driver(loop({ concurrencyLimit: 0 }));
    const max = maxInFlight(d, "each", (r) => String(r.iteration));
    d.runToEnd();
    expect(max()).toBe(4);
  });

  it("concurrencyLimit 2 runs at most two values at a time", () => {
    const d = new Driver(loop({ concurrencyLimit: 2 }));
    const max = maxInFlight(d, "each", (r) => String(r.iteration));
    d.runToEnd();
    expect(max()).toBe(2);
    expect(d.runs("second")).toHaveLength(4);
  });

  it("children carry the loop value as a string and the 0-based iteration of the distinct value", () => {
    const flow = buildFlow({ tasks: [forEach("each", ["a", 1, "a", { k: "v" }], [log("x")])] });
    const d = new Driver(flow).runToEnd();
    expect(d.runs("x").map((r) => [r.value, r.iteration])).toEqual([
      ["a", 0],
      ["1", 1],
      ['{"k":"v"}', 2],
    ]);
    expect(d.run("each").meta?.values).toEqual(["a", "1", '{"k":"v"}']);
  });

  it("an empty list of values ends SUCCESS without children", () => {
    const d = new Driver(buildFlow({ tasks: [forEach("each", "[]", [log("x")])] })).runToEnd();
    expect(d.stateOf("each")).toBe("SUCCESS");
    expect(d.runs("x")).toHaveLength(0);
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("a failing iteration fails the loop and later values do not start", () => {
    const d = new Driver(loop({}), {
      script: { first: (run) => ({ state: run.value === "v2" ? "FAILED" : "SUCCESS" }) },
    }).runToEnd();
    expect(d.stateOf("each")).toBe("FAILED");
    expect(d.runs("first").map((r) => r.value)).toEqual(["v1", "v2"]);
    expect(d.execution.state.current).toBe("FAILED");
  });

  it("a sequential loop of 600 values runs them in order, and a restart after a failure re-runs the failed value then the rest", () => {
    const many = Array.from({ length: 600 }, (_, i) => `v${i}`);
    let failures = 1;
    const d = new Driver(buildFlow({ tasks: [forEach("each", many, [log("first"), log("second")])] }), {
      script: {
        second: (run) => ({ state: run.value === "v400" && failures-- > 0 ? "FAILED" : "SUCCESS" }),
      },
    }).runToEnd(10_000);
    expect(d.execution.state.current).toBe("FAILED");
    expect(d.runs("second").map((r) => r.value)).toEqual(many.slice(0, 401));
    d.feed({ type: "restart" });
    d.runToEnd(10_000);
    expect(d.execution.state.current).toBe("SUCCESS");
    expect(d.runs("first").map((r) => r.value)).toEqual(many);
    expect(d.runs("second").map((r) => `${r.value}:${r.state.current}`)).toEqual(many.map((v) => `${v}:SUCCESS`));
  });

  it("values that cannot be resolved fail the loop", () => {
    const d = new Driver(buildFlow({ tasks: [forEach("each", "{{ nope }}", [log("x")])] }), {
      resolutions: { each: { ok: false, error: "unknown variable" } },
    }).runToEnd();
    expect(d.stateOf("each")).toBe("FAILED");
    expect(d.execution.state.current).toBe("FAILED");
  });
});

describe("Switch and If", () => {
  const sw = (value: string, extra: Record<string, unknown> = {}) =>
    buildFlow({ tasks: [switchTask("sw", value, { a: [log("caseA")], "1": [log("caseOne")] }, extra), log("after")] });

  it("Switch runs the case whose key equals the value, compared as strings", () => {
    const d = new Driver(sw("1")).runToEnd();
    expect(d.stateOf("caseOne")).toBe("SUCCESS");
    expect(d.runs("caseA")).toHaveLength(0);
    expect(d.run("sw").outputs).toEqual({ value: "1", defaults: false });
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("Switch without a matching case runs defaults", () => {
    const d = new Driver(sw("zzz", { defaults: [log("dflt")] })).runToEnd();
    expect(d.stateOf("dflt")).toBe("SUCCESS");
    expect(d.run("sw").outputs).toEqual({ value: "zzz", defaults: true });
    expect(d.stateOf("sw")).toBe("SUCCESS");
  });

  it("Switch without a match and without defaults FAILS, and so does the execution", () => {
    const d = new Driver(sw("zzz")).runToEnd();
    expect(d.stateOf("sw")).toBe("FAILED");
    expect(d.runs("after")).toHaveLength(0);
    expect(d.execution.state.current).toBe("FAILED");
  });

  it("If true runs then; false runs else", () => {
    const both = (condition: string) =>
      buildFlow({ tasks: [ifTask("if", condition, [log("yes")], { else: [log("no")] })] });
    const t = new Driver(both("true")).runToEnd();
    expect(t.runs("yes")).toHaveLength(1);
    expect(t.runs("no")).toHaveLength(0);
    const f = new Driver(both("false")).runToEnd();
    expect(f.runs("yes")).toHaveLength(0);
    expect(f.stateOf("no")).toBe("SUCCESS");
  });

  it("If false without else SUCCEEDS with no children", () => {
    const d = new Driver(buildFlow({ tasks: [ifTask("if", "false", [log("yes")])] })).runToEnd();
    expect(d.stateOf("if")).toBe("SUCCESS");
    expect(d.runs("yes")).toHaveLength(0);
    expect(d.execution.state.current).toBe("SUCCESS");
  });
});

describe("Dag", () => {
  const diamond = (extra: Record<string, unknown> = {}) =>
    buildFlow({
      tasks: [
        dag(
          "g",
          [
            { task: log("d"), dependsOn: ["b", "c"] },
            { task: log("b"), dependsOn: ["a"] },
            { task: log("a") },
            { task: log("c"), dependsOn: ["a"] },
          ],
          extra,
        ),
      ],
    });

  it("starts a task only once everything it depends on has ended", () => {
    const d = new Driver(diamond()).runToEnd();
    expect(startOf(d.run("b"))).toBeGreaterThanOrEqual(endOf(d.run("a")));
    expect(startOf(d.run("c"))).toBeGreaterThanOrEqual(endOf(d.run("a")));
    expect(startOf(d.run("d"))).toBeGreaterThanOrEqual(Math.max(endOf(d.run("b")), endOf(d.run("c"))));
    expect(d.stateOf("g")).toBe("SUCCESS");
  });

  it("runs independent tasks together unless concurrent bounds them", () => {
    const free = new Driver(diamond());
    const maxFree = maxInFlight(free, "g");
    free.runToEnd();
    expect(maxFree()).toBe(2);
    const bounded = new Driver(diamond({ concurrent: 1 }));
    const maxBounded = maxInFlight(bounded, "g");
    bounded.runToEnd();
    expect(maxBounded()).toBe(1);
    expect(bounded.stateOf("d")).toBe("SUCCESS");
  });

  it("a failed task fails the Dag and its dependents do not start", () => {
    const d = new Driver(diamond(), { script: { a: { state: "FAILED" } } }).runToEnd();
    expect(d.stateOf("g")).toBe("FAILED");
    expect(d.runs("b")).toHaveLength(0);
    expect(d.execution.state.current).toBe("FAILED");
  });
});

describe("Dag with disabled tasks", () => {
  it("a task that depends on a disabled task still runs, the disabled one gets no task run", () => {
    const flow = buildFlow({
      tasks: [dag("g", [{ task: log("a", { disabled: true }) }, { task: log("b"), dependsOn: ["a"] }])],
    });
    const d = new Driver(flow).runToEnd();
    expect(d.runs("a")).toHaveLength(0);
    expect(d.stateOf("b")).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("SUCCESS");
  });
});

describe("nesting", () => {
  it("a ForEach inside a Parallel inside a Sequential ends with every task run terminal", () => {
    const flow = buildFlow({
      tasks: [seq("s", [par("p", [forEach("each", ["x", "y"], [log("inner")]), log("side")])])],
    });
    const d = new Driver(flow).runToEnd();
    expect(d.runs("inner").map((r) => r.value)).toEqual(["x", "y"]);
    expect(d.state.taskRuns.every((r) => r.state.current === "SUCCESS")).toBe(true);
  });
});
