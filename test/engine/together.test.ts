// stepAll: results that arrive together are applied together, with one decision after them (what
// the execution object does with one turn's results). The execution must end as when the same
// results are applied one by one, with the same task runs in the same states.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Flow } from "../../schema/flow/types";
import { buildFlow, forEach, log, par, seq } from "./build";
import { Driver, type Script } from "./driver";

function outcome(d: Driver) {
  return {
    state: d.execution.state.current,
    runs: d.state.taskRuns.map((r) => `${r.taskId}@${r.value ?? ""}:${r.state.current}`).sort(),
  };
}

const both = (flow: Flow, script: Script) => {
  const apart = new Driver(flow, { script }).runToEnd();
  const together = new Driver(flow, { script, together: true }).runToEnd();
  return { apart, together };
};

describe("results applied together", () => {
  it("a ForEach of 200 values with concurrencyLimit 0 ends the same, in far fewer steps", () => {
    const values = Array.from({ length: 200 }, (_, i) => `v${i}`);
    const flow = buildFlow({ tasks: [forEach("each", values, [log("a"), log("b")], { concurrencyLimit: 0 })] });
    const { apart, together } = both(flow, {});
    expect(outcome(together)).toEqual(outcome(apart));
    expect(together.execution.state.current).toBe("SUCCESS");
    expect(together.state.taskRuns).toHaveLength(401);
    expect(together.steps).toBeLessThan(apart.steps / 50);
  });

  it("ends the same as one by one for any mix of parallel, loop and sequential failures", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("SUCCESS", "FAILED", "WARNING"), { minLength: 6, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 }),
        (states, durations) => {
          const flow = buildFlow({
            tasks: [
              par("p", [log("p1"), log("p2"), log("p3")]),
              forEach("each", ["x", "y", "z"], [log("l1"), log("l2")], { concurrencyLimit: 0 }),
              seq("s", [log("s1")]),
            ],
          });
          const ids = ["p1", "p2", "p3", "l1", "l2", "s1"];
          const script: Script = Object.fromEntries(
            ids.map((id, i) => [id, { state: states[i] as "SUCCESS", durationMs: durations[i]! * 1000 }]),
          );
          const { apart, together } = both(flow, script);
          expect(together.execution.state.current).toBe(apart.execution.state.current);
          // The same task runs; one killed by a failing sibling one by one may, applied together
          // with that failure, keep the result it had already reported: it was not killed.
          const stateByRun = (d: Driver) =>
            new Map(d.state.taskRuns.map((r) => [`${r.taskId}@${r.value ?? ""}`, r.state.current]));
          const a = stateByRun(apart);
          const t = stateByRun(together);
          expect([...t.keys()].sort()).toEqual([...a.keys()].sort());
          for (const [key, state] of a) if (state !== "KILLED") expect(t.get(key)).toBe(state);
        },
      ),
      { numRuns: 150 },
    );
  });
});
