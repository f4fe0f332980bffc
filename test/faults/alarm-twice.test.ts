// Fault suite, R5: an alarm delivered twice leaves the execution as one delivery does. Random flows
// (Sequential, Parallel and ForEach around Log leaves with retries) run with random outcomes
// (failures, sleeps) to a random point; there the engine takes the alarm once on one copy of the
// state and twice on another, at the same instant: the states are equal and the second delivery
// starts nothing. Thousands of states in CI; FAULTS_LARGE=1 for more. Prints its figures.
import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExecutionMachine } from "../../worker/engine/machine";
import type { EngineContext, EngineState } from "../../worker/engine/types";
import { buildFlow, forEach, log, par, seq } from "../engine/build";
import { Driver, type Outcome, type Script } from "../engine/driver";

const RUNS = env.FAULTS_LARGE ? 20_000 : 2_000;

type Obj = Record<string, unknown>;

const leaf = fc
  .record({ retry: fc.integer({ min: 0, max: 3 }), allowFailure: fc.boolean() })
  .map(({ retry, allowFailure }) => ({ retry, allowFailure }));

const { node } = fc.letrec<{ node: Obj; list: Obj[] }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 2, depthIdentifier: "flow" },
    { arbitrary: leaf.map((l) => ({ kind: "log", ...l })), weight: 3 },
    fc.record({ kind: fc.constantFrom("seq", "par"), children: tie("list") }),
    fc.record({
      kind: fc.constant("each"),
      values: fc.array(fc.constantFrom("a", "b"), { maxLength: 3 }),
      children: tie("list"),
    }),
  ),
  list: fc.array(tie("node"), { minLength: 1, maxLength: 3, depthIdentifier: "flow" }),
}));

const outcome: fc.Arbitrary<Outcome> = fc.record({
  state: fc.constantFrom("SUCCESS", "FAILED", "FAILED", "WARNING"),
  durationMs: fc.integer({ min: 0, max: 2000 }),
  sleepMs: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
});

function toTasks(nodes: Obj[], ids: { n: number; leaves: string[] }): Obj[] {
  return nodes.map((n) => {
    const id = `t${++ids.n}`;
    if (n.kind === "log") {
      ids.leaves.push(id);
      const extra: Obj = {};
      if (n.retry) extra.retry = { type: "constant", interval: "PT1S", maxAttempt: n.retry };
      if (n.allowFailure) extra.allowFailure = true;
      return log(id, extra);
    }
    const children = toTasks(n.children as Obj[], ids);
    if (n.kind === "each") return forEach(id, JSON.stringify(n.values), children);
    return n.kind === "seq" ? seq(id, children) : par(id, children);
  });
}

const scenario = fc.record({
  tasks: fc.array(node, { minLength: 1, maxLength: 3 }),
  outcomes: fc.array(outcome, { minLength: 1, maxLength: 20 }),
  stopAfter: fc.integer({ min: 1, max: 40 }),
  seed: fc.integer(),
});

const context = (now: number): EngineContext => {
  let id = 0;
  return { now: new Date(now), newId: () => `alarm-${++id}`, random: () => 0.5 };
};

describe("fault suite: an alarm delivered twice (R5)", () => {
  it(`gives the same state as one delivery, over ${RUNS} random states`, () => {
    let withWork = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const ids = { n: 0, leaves: [] as string[] };
        const flow = buildFlow({ tasks: toTasks(s.tasks, ids) });
        let i = 0;
        const script: Script = Object.fromEntries(
          ids.leaves.map((id) => [id, () => s.outcomes[i++ % s.outcomes.length]!]),
        );
        const d = new Driver(flow, { script, seed: s.seed });
        d.runUntil((x) => x.steps >= s.stopAfter, 5000);
        const due = d.machine.nextDue();
        const at = Math.max(d.now, due ?? d.now);
        const snapshot = JSON.stringify(d.state);
        const once = new ExecutionMachine(JSON.parse(snapshot) as EngineState);
        const twice = new ExecutionMachine(JSON.parse(snapshot) as EngineState);
        const first = once.stepAll([{ type: "alarm" }], context(at));
        twice.stepAll([{ type: "alarm" }], context(at));
        const second = twice.stepAll([{ type: "alarm" }], context(at));
        if (first.commands.length) withWork++;
        expect(JSON.stringify(twice.state)).toBe(JSON.stringify(once.state));
        expect(second.commands.filter((c) => c.type === "run" || c.type === "resolve")).toEqual([]);
      }),
      { numRuns: RUNS, seed: 20261203 },
    );
    console.log(
      `fault suite, R5: ${RUNS} random states, ${withWork} with due work at the alarm: ` +
        "the second delivery changed nothing and started nothing in every one",
    );
  }, 300_000);
});
