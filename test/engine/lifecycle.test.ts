// Kill, restart, stale results, repeated alarms and recovery (spec §2.2, §3.5, §10.19): the
// events that arrive from outside the normal run → result loop.
import { describe, expect, it } from "vitest";
import { canRestart } from "../../worker/engine/machine";
import type { EngineState } from "../../worker/engine/types";
import { buildFlow, forEach, log, par, seq, switchTask } from "./build";
import { Driver, T0 } from "./driver";

const FAIL = { state: "FAILED" } as const;
const snapshot = (s: EngineState) => JSON.stringify(s);

describe("kill", () => {
  const sleepy = () =>
    new Driver(buildFlow({ tasks: [log("nap"), log("after")] }), { script: { nap: { sleepMs: 60_000 } } }).runUntil(
      (d) => d.run("nap").meta?.dueAction === "sleep-end",
    );

  it("during a sleep kills the task run, aborts it, and the execution goes KILLING → KILLED", () => {
    const d = sleepy();
    const nap = d.run("nap");
    const result = d.feed({ type: "kill" });
    expect(nap.state.current).toBe("KILLED");
    expect(nap.attempts.at(-1)?.state.current).toBe("KILLED");
    expect(result.commands).toContainEqual({ type: "abort", taskRunId: nap.id });
    expect(result.commands).toContainEqual({ type: "ended" });
    expect(result.nextAlarm).toBeUndefined();
    expect(d.historyOf(d.execution)).toEqual(["CREATED", "RUNNING", "KILLING", "KILLED"]);
    d.runToEnd();
    expect(d.runs("after")).toHaveLength(0);
    expect(d.execution.state.current).toBe("KILLED");
  });

  it("kills every non-terminal task run, flowables included, and creates nothing afterwards", () => {
    const d = new Driver(buildFlow({ tasks: [par("p", [log("a"), seq("s", [log("b"), log("c")])])] })).runUntil(
      (x) => x.runs("b")[0]?.state.current === "RUNNING",
    );
    const count = d.state.taskRuns.length;
    d.feed({ type: "kill" });
    d.runToEnd();
    expect(d.state.taskRuns).toHaveLength(count);
    expect(d.state.taskRuns.every((r) => r.state.current === "KILLED")).toBe(true);
  });

  it("a task result that arrives after the kill is ignored", () => {
    const d = new Driver(buildFlow({ tasks: [log("a"), log("b")] })).runUntil((x) => x.runs("a").length === 1);
    const a = d.run("a");
    d.feed({ type: "kill" });
    const before = snapshot(d.state);
    const result = d.feed({ type: "task-result", taskRunId: a.id, result: { state: "SUCCESS", outputs: { x: 1 } } });
    expect(snapshot(d.state)).toBe(before);
    expect(result.commands).toEqual([]);
    expect(a.state.current).toBe("KILLED");
  });

  it("killing a finished execution changes nothing", () => {
    const d = new Driver(buildFlow({ tasks: [log("a")] })).runToEnd();
    const before = snapshot(d.state);
    d.feed({ type: "kill" });
    expect(snapshot(d.state)).toBe(before);
  });
});

describe("alarms", () => {
  it("the same alarm delivered twice gives the same state as once", () => {
    const d = new Driver(buildFlow({ tasks: [log("nap"), log("after")] }), { script: { nap: { sleepMs: 5000 } } });
    const first = d.runUntil((x) => x.run("nap").meta?.dueAction === "sleep-end").feed({ type: "start" });
    expect(first.nextAlarm).toBe(T0 + 1000 + 5000);
    d.now = T0 + 6000;
    d.feed({ type: "alarm" });
    const once = snapshot(d.state);
    const again = d.feed({ type: "alarm" });
    expect(snapshot(d.state)).toBe(once);
    expect(again.commands).toEqual([]);
    expect(d.stateOf("nap")).toBe("SUCCESS");
  });

  it("an alarm before the due time does nothing and keeps the alarm", () => {
    const d = new Driver(buildFlow({ tasks: [log("nap")] }), { script: { nap: { sleepMs: 5000 } } }).runUntil(
      (x) => x.run("nap").meta?.dueAction === "sleep-end",
    );
    d.now = T0 + 3000;
    const before = snapshot(d.state);
    const result = d.feed({ type: "alarm" });
    expect(snapshot(d.state)).toBe(before);
    expect(result.nextAlarm).toBe(T0 + 6000);
  });

  it("a sleep ends with the state the task reported when it started sleeping", () => {
    const d = new Driver(buildFlow({ tasks: [log("nap")] }), {
      script: { nap: { sleepMs: 5000, state: "WARNING" } },
    }).runToEnd();
    expect(d.stateOf("nap")).toBe("WARNING");
    expect(Date.parse(d.run("nap").state.histories.at(-1)!.date)).toBe(T0 + 6000);
  });

  it("a task result delivered again for a task run that already ended is ignored", () => {
    const d = new Driver(buildFlow({ tasks: [log("a"), log("b")] })).runToEnd();
    const before = snapshot(d.state);
    d.feed({ type: "task-result", taskRunId: d.run("a").id, result: { state: "FAILED" } });
    expect(snapshot(d.state)).toBe(before);
    expect(d.execution.state.current).toBe("SUCCESS");
  });
});

describe("restart", () => {
  const flow = () => buildFlow({ tasks: [log("a"), seq("s", [log("b")]), log("c")], errors: [log("e")] });

  it("keeps successful task runs, re-runs the failed one in place and drops the errors task runs", () => {
    const d = new Driver(flow(), { script: { b: [FAIL, {}] } }).runToEnd();
    expect(d.execution.state.current).toBe("FAILED");
    expect(canRestart(d.state)).toBe(true);
    const aBefore = JSON.stringify(d.run("a"));
    const bId = d.run("b").id;
    const eId = d.run("e").id;
    const result = d.feed({ type: "restart" });
    expect(result.removedTaskRuns).toEqual([eId]);
    // The first half only marks: the execution and the task runs to run again are RESTARTED.
    expect(d.execution.state.current).toBe("RESTARTED");
    expect([d.stateOf("b"), d.stateOf("s"), d.stateOf("a")]).toEqual(["RESTARTED", "RESTARTED", "SUCCESS"]);
    expect(d.run("b").attempts).toHaveLength(1);
    expect(result.commands).toEqual([{ type: "follow-up", event: { type: "restarted" } }]);
    d.runToEnd();
    expect(JSON.stringify(d.run("a"))).toBe(aBefore);
    const b = d.run("b");
    expect(b.id).toBe(bId);
    expect(d.historyOf(b)).toEqual(["CREATED", "RUNNING", "FAILED", "RESTARTED", "RUNNING", "SUCCESS"]);
    expect(b.attempts.map((x) => x.state.current)).toEqual(["FAILED", "SUCCESS"]);
    expect(d.historyOf(d.run("s")).slice(-3)).toEqual(["RESTARTED", "RUNNING", "SUCCESS"]);
    expect(d.runs("e")).toHaveLength(0);
    expect(d.stateOf("c")).toBe("SUCCESS");
    expect(d.execution.metadata.attemptNumber).toBe(2);
    expect(d.historyOf(d.execution).slice(-4)).toEqual(["FAILED", "RESTARTED", "RUNNING", "SUCCESS"]);
  });

  it("re-runs the siblings that were only killed because the execution ended, so the restart is not KILLED", () => {
    const f = buildFlow({ tasks: [par("p", [log("fast"), log("slow")])] });
    const d = new Driver(f, {
      script: { fast: [{ ...FAIL, durationMs: 100 }, {}], slow: { durationMs: 5000 } },
    }).runToEnd();
    expect(d.execution.state.current).toBe("FAILED");
    expect(d.stateOf("slow")).toBe("KILLED");
    d.feed({ type: "restart" });
    d.runToEnd();
    expect(d.stateOf("fast")).toBe("SUCCESS");
    expect(d.stateOf("slow")).toBe("SUCCESS");
    expect(d.run("slow").attempts.map((a) => a.state.current)).toEqual(["KILLED", "SUCCESS"]);
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("after a kill, killed task runs stay killed on restart", () => {
    const f = buildFlow({ tasks: [par("p", [log("fast"), log("slow")])], errors: [log("e", { description: "slow" })] });
    const d = new Driver(f, {
      script: { fast: { ...FAIL, durationMs: 100 }, slow: { durationMs: 5000 }, e: { durationMs: 10_000 } },
    }).runUntil((x) => x.runs("e").length > 0);
    d.feed({ type: "kill" });
    expect(d.execution.state.current).toBe("KILLED");
    d.opts.script = { slow: {} };
    d.feed({ type: "restart" });
    d.runToEnd();
    expect(d.stateOf("fast")).toBe("SUCCESS");
    expect(d.stateOf("slow")).toBe("KILLED");
    expect(d.execution.state.current).toBe("KILLED");
  });

  it("is refused when no task run failed or paused", () => {
    const d = new Driver(flow()).runToEnd();
    expect(canRestart(d.state)).toBe(false);
    const before = snapshot(d.state);
    d.feed({ type: "restart" });
    expect(snapshot(d.state)).toBe(before);
  });

  it("is refused while the execution is running", () => {
    const d = new Driver(flow(), { script: { b: FAIL } }).runUntil((x) => x.runs("a").length > 0);
    expect(canRestart(d.state)).toBe(false);
  });

  it("re-evaluates a Switch that failed to resolve instead of ending it without a branch", () => {
    const f = buildFlow({ tasks: [switchTask("sw", "a", { a: [log("caseA")] })] });
    const d = new Driver(f, { resolutions: { sw: { ok: false, error: "cannot render" } } }).runToEnd();
    expect(d.stateOf("sw")).toBe("FAILED");
    delete d.opts.resolutions?.sw;
    d.feed({ type: "restart" });
    d.runToEnd();
    expect(d.stateOf("caseA")).toBe("SUCCESS");
    expect(d.stateOf("sw")).toBe("SUCCESS");
  });

  it("re-evaluates a ForEach whose values failed to resolve", () => {
    const f = buildFlow({ tasks: [forEach("each", ["x", "y"], [log("inner")])] });
    const d = new Driver(f, { resolutions: { each: { ok: false, error: "cannot render" } } }).runToEnd();
    expect(d.stateOf("each")).toBe("FAILED");
    delete d.opts.resolutions?.each;
    d.feed({ type: "restart" });
    d.runToEnd();
    expect(d.runs("inner").map((r) => r.value)).toEqual(["x", "y"]);
    expect(d.execution.state.current).toBe("SUCCESS");
  });
});

describe("recover", () => {
  it("re-issues the run of an in-flight task and the resolution of a waiting flowable", () => {
    const f = buildFlow({ tasks: [par("p", [log("a"), forEach("each", ["x"], [log("inner")])])] });
    const d = new Driver(f).runUntil((x) => x.runs("a")[0]?.state.current === "RUNNING");
    const state = structuredClone(d.state);
    const resumed = new Driver(f, { idPrefix: "again" }, state);
    const a = resumed.run("a");
    const each = resumed.run("each");
    const result = resumed.feed({ type: "recover" });
    expect(result.commands).toContainEqual({ type: "run", taskRunId: a.id });
    if (each.state.current === "CREATED")
      expect(result.commands).toContainEqual({ type: "resolve", taskRunId: each.id });
    resumed.runToEnd();
    expect(resumed.execution.state.current).toBe("SUCCESS");
    expect(resumed.runs("a")).toHaveLength(1);
    expect(resumed.runs("inner")).toHaveLength(1);
  });

  it("keeps a sleeping task asleep and its alarm, instead of running it again", () => {
    const f = buildFlow({ tasks: [log("nap")] });
    const d = new Driver(f, { script: { nap: { sleepMs: 5000 } } }).runUntil(
      (x) => x.run("nap").meta?.dueAction === "sleep-end",
    );
    const resumed = new Driver(f, { idPrefix: "again" }, structuredClone(d.state));
    const result = resumed.feed({ type: "recover" });
    expect(result.commands.filter((c) => c.type === "run")).toEqual([]);
    expect(result.nextAlarm).toBe(T0 + 6000);
    resumed.runToEnd();
    expect(resumed.stateOf("nap")).toBe("SUCCESS");
  });

  it("finishes a restart stopped between its halves: the RESTARTED task runs run again once", () => {
    const f = buildFlow({ tasks: [log("a"), log("b")] });
    const d = new Driver(f, { script: { b: [FAIL] } }).runToEnd();
    d.feed({ type: "restart" });
    const resumed = new Driver(f, { idPrefix: "again", script: { b: [{}] } }, structuredClone(d.state));
    const result = resumed.feed({ type: "recover" });
    expect(result.commands).toEqual([{ type: "follow-up", event: { type: "restarted" } }]);
    resumed.runToEnd();
    expect(resumed.execution.state.current).toBe("SUCCESS");
    expect(resumed.run("b").attempts.map((x) => x.state.current)).toEqual(["FAILED", "SUCCESS"]);
    expect(resumed.historyOf(resumed.execution).slice(-4)).toEqual(["FAILED", "RESTARTED", "RUNNING", "SUCCESS"]);
  });

  it("re-asks for the flow outputs when the end was waiting for them", () => {
    const f = buildFlow({ tasks: [log("a")], outputs: [{ id: "o", type: "STRING", value: "v" }] });
    const d = new Driver(f).runUntil((x) => x.state.pendingEnd !== undefined);
    const resumed = new Driver(f, { idPrefix: "again" }, structuredClone(d.state));
    expect(resumed.feed({ type: "recover" }).commands).toContainEqual({ type: "render-outputs" });
    resumed.runToEnd();
    expect(resumed.execution.state.current).toBe("SUCCESS");
    expect(resumed.execution.outputs).toEqual({ o: "v" });
  });
});
