// Property tests over random flows (nested Sequential/Parallel/ForEach/If/AllowFailure around Log
// leaves, random allowFailure, retries, errors/finally/afterExecution) and random outcome scripts,
// with an optional kill: the engine always ends, agrees with the final-state rule of §2.4
// computed here from the top-level task runs, leaves nothing running, and is replayable.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Task } from "../../schema/flow/types";
import { flowableKind } from "../../worker/engine/flow-index";
import type { StateType, TaskRun } from "../../worker/engine/types";
import { buildFlow, ifTask } from "./build";
import { Driver, type Outcome, replay, type Script } from "./driver";

type Node =
  | { kind: "log"; allowFailure: boolean; retry: number; disabled: boolean; skip: boolean }
  | {
      kind: "seq" | "par" | "allow";
      children: Node[];
      errors: Node[];
      allowFailure: boolean;
      concurrent: number;
      /** Max attempts of a retry policy inherited by failing descendants; 0 = none. */
      retry: number;
    }
  | { kind: "each"; values: string[]; limit: number; children: Node[] }
  | { kind: "if"; condition: boolean; yes: Node[]; no: Node[] };

/** A Log leaf; disabled and runIf-false leaves are kept rare (1 in 10) so that most flows do run. */
const rareLeaf: fc.Arbitrary<Node> = fc.record({
  kind: fc.constant("log" as const),
  allowFailure: fc.boolean(),
  retry: fc.integer({ min: 0, max: 3 }),
  disabled: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  skip: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

const { node } = fc.letrec<{ node: Node; list: Node[] }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, depthIdentifier: "flow" },
    { arbitrary: rareLeaf, weight: 3 },
    fc.record({
      kind: fc.constantFrom("seq" as const, "par" as const, "allow" as const),
      children: tie("list"),
      errors: fc.array(rareLeaf, { maxLength: 1 }),
      allowFailure: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      concurrent: fc.integer({ min: 0, max: 2 }),
      retry: fc.integer({ min: 0, max: 6 }).map((n) => (n > 3 ? 0 : n)),
    }),
    fc.record({
      kind: fc.constant("each" as const),
      values: fc.array(fc.constantFrom("a", "b", "c"), { maxLength: 3 }),
      limit: fc.integer({ min: 0, max: 2 }),
      children: tie("list"),
    }),
    fc.record({
      kind: fc.constant("if" as const),
      condition: fc.boolean(),
      yes: tie("list"),
      no: fc.array(rareLeaf, { maxLength: 1 }),
    }),
  ),
  list: fc.array(tie("node"), { minLength: 1, maxLength: 3, depthIdentifier: "flow" }),
}));

const outcome: fc.Arbitrary<Outcome> = fc.record({
  state: fc.constantFrom("SUCCESS", "SUCCESS", "SUCCESS", "FAILED", "WARNING", "SKIPPED"),
  durationMs: fc.integer({ min: 0, max: 3000 }),
  sleepMs: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
});

const scenario = fc.record({
  tasks: fc.array(node, { minLength: 1, maxLength: 4 }),
  errors: fc.array(rareLeaf, { maxLength: 2 }),
  finally: fc.array(rareLeaf, { maxLength: 1 }),
  afterExecution: fc.array(rareLeaf, { maxLength: 1 }),
  outcomes: fc.array(outcome, { minLength: 1, maxLength: 30 }),
  // One scenario in four is killed after a random number of steps.
  killAfter: fc
    .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 30 }))
    .map(([k, n]) => (k ? undefined : n)),
  seed: fc.integer(),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

const FLOW = "io.kestra.plugin.core.flow.";

/** Turns generated nodes into Kestra task objects with unique ids; collects the leaf ids. */
function toTasks(nodes: Node[], ids: Ids): Record<string, unknown>[] {
  return nodes.map((n) => toTask(n, ids));
}

interface Ids {
  n: number;
  leaves: string[];
}

function toTask(n: Node, ids: Ids): Record<string, unknown> {
  const id = `t${++ids.n}`;
  switch (n.kind) {
    case "log": {
      ids.leaves.push(id);
      const t: Record<string, unknown> = { id, type: "io.kestra.plugin.core.log.Log", message: id };
      if (n.allowFailure) t.allowFailure = true;
      if (n.retry) t.retry = { type: "constant", interval: "PT1S", maxAttempt: n.retry };
      if (n.disabled) t.disabled = true;
      if (n.skip) t.runIf = "false";
      return t;
    }
    case "seq":
    case "par":
    case "allow": {
      const type = { seq: "Sequential", par: "Parallel", allow: "AllowFailure" }[n.kind];
      const t: Record<string, unknown> = { id, type: FLOW + type, tasks: toTasks(n.children, ids) };
      if (n.errors.length) t.errors = toTasks(n.errors, ids);
      if (n.allowFailure) t.allowFailure = true;
      if (n.kind === "par" && n.concurrent) t.concurrent = n.concurrent;
      if (n.retry) t.retry = { type: "constant", interval: "PT2S", maxAttempt: n.retry };
      return t;
    }
    case "each":
      return {
        id,
        type: `${FLOW}ForEach`,
        values: JSON.stringify(n.values),
        concurrencyLimit: n.limit,
        tasks: toTasks(n.children, ids),
      };
    case "if":
      return ifTask(id, String(n.condition), toTasks(n.yes, ids), n.no.length ? { else: toTasks(n.no, ids) } : {});
  }
}

/** §2.4, written out again: the first of KILLED, FAILED, WARNING, PAUSED among the runs, else SUCCESS. */
function expectedFinal(runs: TaskRun[]): StateType {
  for (const s of ["KILLED", "FAILED", "WARNING", "PAUSED"] as const)
    if (runs.some((r) => r.state.current === s)) return s;
  return "SUCCESS";
}

interface Run {
  d: Driver;
  killedWhileRunning: boolean;
  lateRuns: string[];
}

function simulate(s: Scenario): Run {
  const ids = { n: 0, leaves: [] as string[] };
  const keys: Record<string, unknown> = { tasks: toTasks(s.tasks, ids) };
  for (const list of ["errors", "finally", "afterExecution"] as const)
    if (s[list].length) keys[list] = toTasks(s[list], ids);
  const flow = buildFlow(keys);
  let i = 0;
  const next = () => s.outcomes[i++ % s.outcomes.length]!;
  const script: Script = Object.fromEntries(ids.leaves.map((id) => [id, next]));
  const d = new Driver(flow, { script, seed: s.seed });
  const lateRuns: string[] = [];
  let seen = 0;
  let wasTerminal = false;
  d.observe((drv) => {
    for (const run of drv.state.taskRuns.slice(seen)) {
      if (wasTerminal && drv.machine.index.places.get(run.taskId)?.list !== "afterExecution") lateRuns.push(run.taskId);
    }
    seen = drv.state.taskRuns.length;
    wasTerminal = ["SUCCESS", "WARNING", "FAILED", "KILLED"].includes(drv.execution.state.current);
  });
  let killedWhileRunning = false;
  if (s.killAfter !== undefined) {
    d.runUntil((x) => x.steps >= (s.killAfter ?? 0), 5000);
    if (!wasTerminal) {
      killedWhileRunning = true;
      d.feed({ type: "kill" });
    }
  }
  d.runToEnd(5000);
  return { d, killedWhileRunning, lateRuns };
}

const TERMINAL = new Set(["SUCCESS", "WARNING", "FAILED", "KILLED", "SKIPPED", "RETRIED", "CANCELLED"]);
const mainChildren = (d: Driver, run: TaskRun) =>
  d.machine.childrenOf(run.id).filter((c) => d.machine.index.places.get(c.taskId)?.list === "main");

describe("engine properties over random flows and outcomes", () => {
  const params = { numRuns: 100, seed: 20250101 };
  // Each property parses and simulates 100 flows; a loaded machine needs more than the default 5 s.
  const timeout = 60_000;

  it(
    "always ends in a terminal state within a bounded number of steps, with every task run terminal",
    () => {
      fc.assert(
        fc.property(scenario, (s) => {
          const { d } = simulate(s);
          expect(TERMINAL.has(d.execution.state.current)).toBe(true);
          expect(d.endedAt).toBeDefined();
          for (const r of d.state.taskRuns)
            expect(TERMINAL.has(r.state.current), `${r.taskId} ${r.state.current}`).toBe(true);
          for (const r of d.state.taskRuns) expect(r.attempts.length).toBeLessThanOrEqual(3);
        }),
        params,
      );
    },
    timeout,
  );

  it(
    "ends with the §2.4 rule applied to the top-level task runs only (KILLED when killed while running)",
    () => {
      fc.assert(
        fc.property(scenario, (s) => {
          const { d, killedWhileRunning } = simulate(s);
          const topIds = new Set((d.state.flow.tasks as Task[]).filter((t) => !t.disabled).map((t) => t.id));
          const top = d.state.taskRuns.filter((r) => r.parentTaskRunId === undefined && topIds.has(r.taskId));
          expect(d.execution.state.current).toBe(killedWhileRunning ? "KILLED" : expectedFinal(top));
        }),
        params,
      );
    },
    timeout,
  );

  it(
    "flowable task runs agree with their children",
    () => {
      fc.assert(
        fc.property(scenario, (s) => {
          const { d } = simulate(s);
          for (const run of d.state.taskRuns) {
            const task = d.machine.taskOf(run);
            if (!flowableKind(task.type)) continue;
            const children = mainChildren(d, run).map((c) => c.state.current);
            const tolerant = task.allowFailure || task.type.endsWith("AllowFailure");
            if (run.state.current === "SUCCESS")
              expect(children.every((c) => c === "SUCCESS" || c === "SKIPPED")).toBe(true);
            if (run.state.current === "FAILED") expect(!tolerant && children.includes("FAILED")).toBe(true);
            if (run.state.current === "WARNING")
              expect(children.includes("WARNING") || (tolerant && children.includes("FAILED"))).toBe(true);
          }
        }),
        params,
      );
    },
    timeout,
  );

  it(
    "creates no task run once the execution is terminal, except afterExecution ones, and never leaves that state",
    () => {
      fc.assert(
        fc.property(scenario, (s) => {
          const { d, lateRuns } = simulate(s);
          expect(lateRuns).toEqual([]);
          const history = d.historyOf(d.execution);
          const firstEnd = history.findIndex((h) => TERMINAL.has(h));
          expect(history.slice(firstEnd)).toEqual([history[firstEnd]]);
        }),
        params,
      );
    },
    timeout,
  );

  it(
    "replaying the same events with the same seeds gives an identical state",
    () => {
      fc.assert(
        fc.property(scenario, (s) => {
          const { d } = simulate(s);
          const again = replay(d.state.flow, d.opts, d.fed);
          expect(JSON.stringify(again)).toBe(JSON.stringify(d.state));
        }),
        params,
      );
    },
    timeout,
  );
});
