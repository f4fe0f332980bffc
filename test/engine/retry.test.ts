// Retries (spec §4, §10.3): delays of each policy on the fake clock, the attempt bounds, in-place
// retries on the same task run with their state histories, which policy applies, and the
// CREATE_NEW_EXECUTION behaviour.
import { describe, expect, it } from "vitest";
import type { TaskRun } from "../../worker/engine/types";
import { buildFlow, log, seq } from "./build";
import { Driver, seededRandom, T0 } from "./driver";

const FAIL = { state: "FAILED" } as const;
const attemptStarts = (r: TaskRun) => r.attempts.map((a) => Date.parse(a.state.histories[0]!.date) - T0);
const attemptEnds = (r: TaskRun) => r.attempts.map((a) => Date.parse(a.state.histories.at(-1)!.date) - T0);
/** Wait between the end of each attempt and the start of the next. */
const gaps = (r: TaskRun) =>
  attemptStarts(r)
    .slice(1)
    .map((s, i) => s - attemptEnds(r)[i]!);

function retried(retry: Record<string, unknown>, outcomes: Array<Record<string, unknown>>, extra = {}) {
  return new Driver(buildFlow({ tasks: [log("a", { retry }), log("b")], errors: [log("e")], ...extra }), {
    script: { a: outcomes },
  }).runToEnd();
}

describe("retry delays", () => {
  it("constant waits the interval after each failed attempt", () => {
    const d = retried({ type: "constant", interval: "PT10S", maxAttempt: 3 }, [FAIL, FAIL, {}]);
    const a = d.run("a");
    expect(attemptStarts(a)).toEqual([0, 11_000, 22_000]);
    expect(a.attempts.map((x) => x.state.current)).toEqual(["FAILED", "FAILED", "SUCCESS"]);
    expect(a.state.current).toBe("SUCCESS");
    expect(d.execution.state.current).toBe("SUCCESS");
  });

  it("exponential multiplies the interval by the factor per attempt, capped at maxInterval", () => {
    const policy = { type: "exponential", interval: "PT1S", maxInterval: "PT5S", delayFactor: 2, maxAttempt: 6 };
    const d = retried(policy, [FAIL, FAIL, FAIL, FAIL, FAIL, {}]);
    expect(gaps(d.run("a"))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it("exponential without delayFactor doubles", () => {
    const d = retried({ type: "exponential", interval: "PT1S", maxInterval: "PT1M", maxAttempt: 4 }, [
      FAIL,
      FAIL,
      FAIL,
    ]);
    expect(gaps(d.run("a"))).toEqual([1000, 2000, 4000]);
  });

  it("random draws each delay in [min, max) from the injected random source", () => {
    const policy = { type: "random", minInterval: "PT1S", maxInterval: "PT3S", maxAttempt: 5 };
    const d = retried(policy, [FAIL, FAIL, FAIL, FAIL, {}]);
    const random = seededRandom(42);
    const expected = [0, 1, 2, 3].map(() => 1000 + Math.floor(random() * 2000));
    expect(gaps(d.run("a"))).toEqual(expected);
    for (const g of gaps(d.run("a"))) {
      expect(g).toBeGreaterThanOrEqual(1000);
      expect(g).toBeLessThan(3000);
    }
  });
});

describe("retry bounds", () => {
  it("maxAttempt counts every attempt; after the last one the errors branch runs", () => {
    const d = retried({ type: "constant", interval: "PT1S", maxAttempt: 3 }, [FAIL, FAIL, FAIL, FAIL]);
    const a = d.run("a");
    expect(a.attempts).toHaveLength(3);
    expect(a.state.current).toBe("FAILED");
    expect(d.runs("b")).toHaveLength(0);
    expect(Date.parse(d.run("e").state.histories[0]!.date) - T0).toBe(attemptEnds(a)[2]);
    expect(d.execution.state.current).toBe("FAILED");
  });

  it("the newer spelling maxAttempts is read the same way", () => {
    const d = retried({ type: "constant", interval: "PT1S", maxAttempts: 2 }, [FAIL, FAIL, FAIL]);
    expect(d.run("a").attempts).toHaveLength(2);
  });

  it("maxDuration is measured from the start of the first attempt", () => {
    const d = retried({ type: "constant", interval: "PT10S", maxDuration: "PT25S" }, [FAIL, FAIL, FAIL, FAIL, FAIL]);
    // next dates: 11s, 22s, then 33s > 25s
    expect(attemptStarts(d.run("a"))).toEqual([0, 11_000, 22_000]);
    expect(d.run("a").state.current).toBe("FAILED");
  });

  it("the errors branch never runs while a retry is pending", () => {
    const d = new Driver(
      buildFlow({
        tasks: [log("a", { retry: { type: "constant", interval: "PT1M", maxAttempt: 2 } })],
        errors: [log("e")],
      }),
      {
        script: { a: [FAIL, {}] },
      },
    );
    d.runUntil((x) => x.stateOf("a") === "RETRYING");
    expect(d.runs("e")).toHaveLength(0);
    d.runToEnd();
    expect(d.runs("e")).toHaveLength(0);
    expect(d.execution.state.current).toBe("SUCCESS");
  });
});

describe("in-place retry", () => {
  it("keeps the task run id, appends attempts and goes FAILED → RETRYING → CREATED → RUNNING", () => {
    const d = retried({ type: "constant", interval: "PT5S", maxAttempt: 3 }, [FAIL, {}]);
    expect(d.runs("a")).toHaveLength(1);
    expect(d.historyOf(d.run("a"))).toEqual([
      "CREATED",
      "RUNNING",
      "FAILED",
      "RETRYING",
      "CREATED",
      "RUNNING",
      "SUCCESS",
    ]);
    expect(d.historyOf(d.execution)).toEqual(["CREATED", "RUNNING", "RETRYING", "RUNNING", "SUCCESS"]);
  });

  it("the execution is RETRYING while the retry waits and the next sibling is not created", () => {
    const d = new Driver(
      buildFlow({ tasks: [log("a", { retry: { type: "constant", interval: "PT1M", maxAttempt: 2 } }), log("b")] }),
      {
        script: { a: [FAIL, {}] },
      },
    );
    const result = d.runUntil((x) => x.stateOf("a") === "RETRYING");
    expect(d.execution.state.current).toBe("RETRYING");
    expect(d.runs("b")).toHaveLength(0);
    expect(result.fed.at(-1)?.now).toBe(T0 + 1000);
    d.runToEnd();
    expect(d.stateOf("b")).toBe("SUCCESS");
  });

  it("warningOnRetry turns a success after retries into WARNING", () => {
    const policy = { type: "constant", interval: "PT1S", maxAttempt: 4, warningOnRetry: true };
    const d = retried(policy, [FAIL, FAIL, FAIL, {}]);
    expect(d.run("a").attempts).toHaveLength(4);
    expect(d.stateOf("a")).toBe("WARNING");
    expect(d.execution.state.current).toBe("WARNING");
  });

  it("warningOnRetry leaves a first-attempt success SUCCESS", () => {
    const d = retried({ type: "constant", interval: "PT1S", maxAttempt: 4, warningOnRetry: true }, [{}]);
    expect(d.stateOf("a")).toBe("SUCCESS");
  });

  it("allowFailure applies only after the last attempt", () => {
    const flow = buildFlow({
      tasks: [log("a", { allowFailure: true, retry: { type: "constant", interval: "PT1S", maxAttempt: 2 } }), log("b")],
    });
    const d = new Driver(flow, { script: { a: [FAIL, FAIL] } }).runToEnd();
    expect(d.run("a").attempts).toHaveLength(2);
    expect(d.stateOf("a")).toBe("WARNING");
    expect(d.stateOf("b")).toBe("SUCCESS");
  });
});

describe("which policy applies", () => {
  const twice = { type: "constant", interval: "PT1S", maxAttempt: 2 };
  const four = { type: "constant", interval: "PT1S", maxAttempt: 4 };
  const always = { a: [FAIL, FAIL, FAIL, FAIL, FAIL] };

  it("the task's own policy wins over its flowable ancestor's and the flow's", () => {
    const flow = buildFlow({ retry: four, tasks: [seq("s", [log("a", { retry: twice })], { retry: four })] });
    expect(new Driver(flow, { script: always }).runToEnd().run("a").attempts).toHaveLength(2);
  });

  it("without its own, the nearest flowable ancestor's policy applies", () => {
    const flow = buildFlow({
      retry: four,
      tasks: [seq("outer", [seq("inner", [log("a")], { retry: twice })], { retry: four })],
    });
    expect(new Driver(flow, { script: always }).runToEnd().run("a").attempts).toHaveLength(2);
  });

  it("without any task or ancestor policy, the flow's applies", () => {
    const flow = buildFlow({ retry: twice, tasks: [seq("s", [log("a")])] });
    expect(new Driver(flow, { script: always }).runToEnd().run("a").attempts).toHaveLength(2);
  });

  it("without any policy there is a single attempt", () => {
    const flow = buildFlow({ tasks: [seq("s", [log("a")])] });
    expect(new Driver(flow, { script: always }).runToEnd().run("a").attempts).toHaveLength(1);
  });
});

describe("CREATE_NEW_EXECUTION", () => {
  const policy = { type: "constant", interval: "PT1M", maxAttempt: 3, behavior: "CREATE_NEW_EXECUTION" };
  const flow = () => buildFlow({ tasks: [seq("s", [log("a", { retry: policy })]), log("b")], errors: [log("e")] });

  it("ends the execution RETRIED with the task run and its ancestors, then asks for a new execution when due", () => {
    const d = new Driver(flow(), { script: { a: FAIL } }).runToEnd();
    expect(d.execution.state.current).toBe("RETRIED");
    expect(d.historyOf(d.run("a")).slice(-2)).toEqual(["FAILED", "RETRIED"]);
    expect(d.stateOf("s")).toBe("RETRIED");
    expect(d.runs("e")).toHaveLength(0);
    expect(d.runs("b")).toHaveLength(0);
    expect(d.endedAt).toBe(T0 + 1000);
    expect(d.retryExecutionsAt).toEqual([T0 + 1000 + 60_000]);
  });

  it("on the last attempt number the failure is final: FAILED, errors run, no new execution", () => {
    const d = new Driver(flow(), { script: { a: FAIL }, attemptNumber: 3 }).runToEnd();
    expect(d.execution.state.current).toBe("FAILED");
    expect(d.stateOf("e")).toBe("SUCCESS");
    expect(d.retryExecutionsAt).toEqual([]);
  });
});
