// The outputs view (`{{ outputs.x... }}`) is kept per machine and follows each outputs change
// instead of being rebuilt from every task run: read at any point of a run, it must equal the
// view a fresh machine builds from the same task runs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExecutionMachine } from "../../worker/engine/machine";
import type { TaskRun } from "../../worker/engine/types";
import { outputsView } from "../../worker/engine/variables";
import { buildFlow, forEach, log, par, seq } from "./build";
import { Driver, type Outcome } from "./driver";

const fresh = (m: ExecutionMachine) => outputsView(new ExecutionMachine(structuredClone(m.state)));

describe("outputs view", () => {
  it("equals a fresh build at every step, through loops, parallel branches and retried outputs", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 }),
        fc.boolean(),
        (values, durations, together) => {
          const flow = buildFlow({
            tasks: [
              log("first"),
              forEach("outer", ["a", "b"], [forEach("inner", ["x", "y"], [log("leaf")]), log("after")], {
                concurrencyLimit: 0,
              }),
              par("p", [log("p1"), seq("s", [log("p2")])]),
            ],
          });
          const ids = ["first", "leaf", "after", "p1", "p2", "outer"];
          let checks = 0;
          const outcome =
            (i: number) =>
            (run: TaskRun, machine: ExecutionMachine): Outcome => {
              // Read the kept view while the run is under way, then compare it with a fresh build.
              expect(outputsView(machine)).toEqual(fresh(machine));
              checks++;
              return {
                durationMs: durations[i]! * 1000,
                outputs: { v: values[i]!, at: `${run.taskId}:${run.value ?? ""}` },
              };
            };
          const script = Object.fromEntries(ids.map((id, i) => [id, outcome(i)]));
          const d = new Driver(flow, { script, together }).runToEnd();
          expect(d.execution.state.current).toBe("SUCCESS");
          expect(checks).toBeGreaterThan(5);
          expect(outputsView(d.machine)).toEqual(fresh(d.machine));
          expect(outputsView(d.machine)).toMatchObject({
            leaf: { a: { x: { at: "leaf:x" } }, b: { y: { at: "leaf:y" } } },
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
