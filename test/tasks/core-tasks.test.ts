import { describe, expect, it } from "vitest";
import { isRunnable, runnerOf } from "../../worker/tasks/registry";
import { TaskFailure } from "../../worker/tasks/types";
import { makeRun } from "./context";

const P = "io.kestra.plugin.core";
const task = (type: string) => {
  const t = runnerOf(`${P}.${type}`);
  if (!t) throw new Error(`${type} not registered`);
  return t;
};

describe("registry", () => {
  it("knows the runnable core types by canonical name and none of the flowable ones", () => {
    for (const t of ["log.Log", "debug.Echo", "debug.Return", "output.OutputValues", "execution.Fail"]) {
      expect(isRunnable(`${P}.${t}`)).toBe(true);
    }
    for (const t of ["execution.Labels", "flow.Sleep", "http.Request"]) expect(isRunnable(`${P}.${t}`)).toBe(true);
    for (const t of ["flow.Sequential", "flow.Parallel", "flow.ForEach", "flow.If", "flow.Pause", "flow.Subflow"]) {
      expect(isRunnable(`${P}.${t}`)).toBe(false);
    }
    expect(isRunnable("toString")).toBe(false);
  });
});

describe("log.Log", () => {
  it("renders a single message and logs it at INFO by default", async () => {
    const run = makeRun({ message: "hello {{ inputs.name }}" }, { inputs: { name: "world" } });
    expect(await task("log.Log").run(run.ctx)).toEqual({});
    expect(run.logs).toEqual([{ level: "INFO", message: "hello world" }]);
  });

  it("logs each message of a list at the given level", async () => {
    const run = makeRun({ message: ["a {{ x }}", "b"], level: "warn" }, { x: 1 });
    await task("log.Log").run(run.ctx);
    expect(run.logs).toEqual([
      { level: "WARN", message: "a 1" },
      { level: "WARN", message: "b" },
    ]);
  });

  it("fails on an unknown level or a missing message", async () => {
    await expect(task("log.Log").run(makeRun({ message: "m", level: "LOUD" }).ctx)).rejects.toThrow(/level/);
    await expect(task("log.Log").run(makeRun({}).ctx)).rejects.toBeInstanceOf(TaskFailure);
  });

  it("fails when a template refers to an unknown variable", async () => {
    await expect(task("log.Log").run(makeRun({ message: "{{ nope.x }}" }).ctx)).rejects.toThrow(/nope/);
  });
});

describe("debug.Echo", () => {
  it("logs the rendered format at its level", async () => {
    const run = makeRun({ format: "echo {{ v }}", level: "DEBUG" }, { v: "x" });
    await task("debug.Echo").run(run.ctx);
    expect(run.logs).toEqual([{ level: "DEBUG", message: "echo x" }]);
  });
});

describe("debug.Return", () => {
  it("outputs the rendered value with a length counter and a duration timer tagged by it", async () => {
    const run = makeRun({ format: "{{ a.b }}-done" }, { a: { b: "abc" } });
    expect(await task("debug.Return").run(run.ctx)).toEqual({ outputs: { value: "abc-done" } });
    expect(run.metrics).toHaveLength(2);
    expect(run.metrics[0]).toEqual({ type: "counter", name: "length", value: 8, tags: { format: "abc-done" } });
    expect(run.metrics[1]).toMatchObject({ type: "timer", name: "duration", tags: { format: "abc-done" } });
    expect(run.metrics[1]?.value).toBeGreaterThanOrEqual(0);
  });
});

describe("output.OutputValues", () => {
  it("renders the values map all the way down and keeps other scalars", async () => {
    const run = makeRun(
      { values: { s: "{{ x }}", n: 3, b: true, list: ["{{ x }}", 1], nested: { m: "v={{ x }}" } } },
      { x: "X" },
    );
    expect(await task("output.OutputValues").run(run.ctx)).toEqual({
      outputs: { values: { s: "X", n: 3, b: true, list: ["X", 1], nested: { m: "v=X" } } },
    });
  });

  it("fails when values is not a map", async () => {
    await expect(task("output.OutputValues").run(makeRun({ values: ["a"] }).ctx)).rejects.toThrow(/map/);
  });
});

describe("execution.Fail", () => {
  it("always fails with the rendered message when there is no condition", async () => {
    const run = makeRun({ errorMessage: "bad {{ x }}" }, { x: 42 });
    await expect(task("execution.Fail").run(run.ctx)).rejects.toThrow(new TaskFailure("bad 42"));
  });

  it("fails with 'Task failure' by default", async () => {
    await expect(task("execution.Fail").run(makeRun({}).ctx)).rejects.toThrow("Task failure");
  });

  it("logs the message at ERROR and fails when the condition renders truthy", async () => {
    const run = makeRun({ condition: "{{ flag }}", errorMessage: "stop {{ flag }}" }, { flag: "yes" });
    await expect(task("execution.Fail").run(run.ctx)).rejects.toThrow("Fail on a condition");
    expect(run.logs).toEqual([{ level: "ERROR", message: "stop yes" }]);
  });

  it("succeeds without logging when the condition renders false, 0 or empty", async () => {
    for (const flag of ["false", "0", ""]) {
      const run = makeRun({ condition: "{{ flag }}" }, { flag });
      expect(await task("execution.Fail").run(run.ctx)).toEqual({});
      expect(run.logs).toEqual([]);
    }
  });

  it("treats a YAML boolean condition as its text", async () => {
    expect(await task("execution.Fail").run(makeRun({ condition: false }).ctx)).toEqual({});
    await expect(task("execution.Fail").run(makeRun({ condition: true }).ctx)).rejects.toThrow();
  });
});

describe("execution.Labels", () => {
  it("renders a map of labels", async () => {
    const run = makeRun({ labels: { env: "{{ e }}", count: 2 } }, { e: "prod" });
    expect(await task("execution.Labels").run(run.ctx)).toEqual({
      labels: [
        { key: "env", value: "prod" },
        { key: "count", value: "2" },
      ],
    });
  });

  it("accepts a list of {key, value}, later duplicates winning", async () => {
    const run = makeRun({
      labels: [
        { key: "a", value: "1" },
        { key: "b", value: "2" },
        { key: "a", value: "3" },
      ],
    });
    expect(await task("execution.Labels").run(run.ctx)).toEqual({
      labels: [
        { key: "a", value: "3" },
        { key: "b", value: "2" },
      ],
    });
  });

  it("accepts a JSON string rendered first", async () => {
    const run = makeRun({ labels: '{"team": "{{ t }}"}' }, { t: "data" });
    expect(await task("execution.Labels").run(run.ctx)).toEqual({ labels: [{ key: "team", value: "data" }] });
  });

  it("rejects system labels and malformed labels", async () => {
    await expect(
      task("execution.Labels").run(makeRun({ labels: { "system.correlationId": "x" } }).ctx),
    ).rejects.toThrow(/system\./);
    await expect(task("execution.Labels").run(makeRun({ labels: "not json" }).ctx)).rejects.toThrow(/JSON/);
    await expect(task("execution.Labels").run(makeRun({ labels: [{ value: "x" }] }).ctx)).rejects.toThrow(/key/);
  });
});

describe("flow.Sleep", () => {
  it("announces the wait and asks the engine to hold the run for the duration", async () => {
    const run = makeRun({ duration: "{{ d }}" }, { d: "PT1M30S" });
    expect(await task("flow.Sleep").run(run.ctx)).toEqual({ sleepMs: 90_000 });
    expect(run.logs).toEqual([{ level: "INFO", message: "Waiting for PT1M30S" }]);
  });

  it("fails on an invalid, negative or missing duration", async () => {
    await expect(task("flow.Sleep").run(makeRun({ duration: "5 seconds" }).ctx)).rejects.toThrow(/ISO-8601/);
    await expect(task("flow.Sleep").run(makeRun({ duration: "-PT1S" }).ctx)).rejects.toThrow(/negative/);
    await expect(task("flow.Sleep").run(makeRun({}).ctx)).rejects.toThrow(/required/);
  });
});
