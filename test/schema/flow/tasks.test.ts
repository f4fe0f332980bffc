import { describe, expect, it } from "vitest";
import { allTasks, applyPluginDefaults, canonicalType, RUNNABLE_TYPES, TASK_TYPES } from "../../../schema/flow";
import type { Task } from "../../../schema/flow/types";
import { isFlowable } from "../../../worker/engine/flowable-types";
import { isRunnable } from "../../../worker/tasks/registry";
import { accept, violationAt } from "./helpers";

const P = "io.kestra.plugin.core.";
const wrap = (tasks: string, extra = "") => `id: f\nnamespace: dev\n${extra}tasks:\n${tasks}`;
const one = (body: string) => wrap(`  - id: t\n${body}`);
const logLeaf = (id: string, indent: string) =>
  `${indent}- id: ${id}\n${indent}  type: io.kestra.plugin.core.log.Log\n${indent}  message: hi\n`;

/** A minimal valid body (after `- id: t`) for every registered type. */
const MINIMAL: Record<string, string> = {
  "log.Log": "message: hi",
  "debug.Return": "format: x",
  "debug.Echo": "format: x",
  "output.OutputValues": "values: { a: 1 }",
  "execution.Fail": "errorMessage: boom",
  "execution.Labels": "labels: { a: b }",
  "flow.Sleep": "duration: PT1S",
  "flow.Sequential": `tasks:\n${logLeaf("c", "      ")}`,
  "flow.Parallel": `tasks:\n${logLeaf("c", "      ")}`,
  "flow.ForEach": `values: [1, 2]\n    tasks:\n${logLeaf("c", "      ")}`,
  "flow.EachSequential": `value: '["a"]'\n    tasks:\n${logLeaf("c", "      ")}`,
  "flow.EachParallel": `value: [a]\n    tasks:\n${logLeaf("c", "      ")}`,
  "flow.Switch": `value: "{{ inputs.x }}"\n    cases:\n      a:\n${logLeaf("c", "        ")}`,
  "flow.If": `condition: "{{ true }}"\n    then:\n${logLeaf("c", "      ")}`,
  "flow.AllowFailure": `tasks:\n${logLeaf("c", "      ")}`,
  "flow.Dag": `tasks:\n      - task:\n          id: c\n          type: io.kestra.plugin.core.log.Log\n          message: hi`,
  "flow.Pause": "delay: PT1M",
  "flow.Subflow": "namespace: dev\n    flowId: other",
  "flow.ForEachItem": 'items: "{{ inputs.file }}"\n    namespace: dev\n    flowId: other\n    batch: { rows: 4 }',
  "http.Request": "uri: https://example.com",
  "kv.Set": "key: k\n    value: 1",
  "kv.Get": "key: k",
  "kv.GetKeys": "prefix: k",
  "kv.Delete": "key: k",
  "templating.TemplatedTask": 'spec: "type: io.kestra.plugin.core.log.Log"',
  "log.Fetch": "level: INFO",
  "http.Download": "uri: https://example.com/a.csv",
  "execution.Resume": 'executionId: "{{ trigger.executionId }}"',
  "state.Get": "name: s",
  "state.Set": "data: { a: 1 }",
  "state.Delete": "name: s",
  "storage.LocalFiles": "inputs: { a.txt: hello }\n    outputs: ['*.txt']",
  "storage.Concat": "files: [a, b]",
  "storage.Split": "from: kestra://x\n    rows: 10",
  "storage.Delete": "uri: kestra://x",
  "storage.Size": "uri: kestra://x",
  "storage.Reverse": "from: kestra://x",
  "storage.DeduplicateItems": "from: kestra://x\n    expr: '{{ key }}'",
  "storage.FilterItems": "from: kestra://x\n    filterCondition: '{{ true }}'",
  "storage.PurgeCurrentExecutionFiles": "description: purge",
  "flow.WorkingDirectory": `tasks:\n${logLeaf("c", "      ")}`,
  "flow.WaitFor": `condition: "{{ false }}"\n    tasks:\n${logLeaf("c", "      ")}`,
  "flow.LoopUntil": `condition: "{{ false }}"\n    checkFrequency: { interval: PT1S, maxIterations: 3 }\n    tasks:\n${logLeaf("c", "      ")}`,
};

/** Core types Kestra has that Peregrine does not run (yet): valid bodies, refused by name at save. */
const NOT_RUN: Record<string, string> = {};

describe("task registry", () => {
  it("has a minimal example for every registered type, and nothing else", () => {
    expect(
      Object.keys(MINIMAL)
        .map((n) => `${P}${n}`)
        .sort(),
    ).toEqual([...TASK_TYPES].sort());
  });

  for (const [name, body] of Object.entries(MINIMAL)) {
    it(`accepts a minimal ${name}`, () => {
      const f = accept(one(`    type: ${P}${name}\n    ${body}\n`));
      expect(f.tasks[0]?.type).toBe(`${P}${name}`);
    });
  }

  for (const [name, body] of Object.entries(NOT_RUN)) {
    it(`refuses ${name}, which Peregrine does not run, naming the type`, () => {
      const v = violationAt(one(`    type: ${P}${name}\n    ${body}\n`), "tasks[0].type");
      expect(v).toMatchObject({
        message: expect.stringContaining(`Task type '${P}${name}' is not supported`),
        line: 5,
      });
    });
  }

  it("gives every accepted type a runner or an entry in the engine's flowable table", () => {
    for (const type of TASK_TYPES) expect(isRunnable(type) || isFlowable(type), type).toBe(true);
    for (const type of RUNNABLE_TYPES) expect(isFlowable(type), type).toBe(false);
  });

  it("refuses an unknown task type at its line", () => {
    const v = violationAt(one("    type: io.kestra.plugin.scripts.shell.Commands\n"), "tasks[0].type");
    expect(v).toMatchObject({
      message: "Unknown task type 'io.kestra.plugin.scripts.shell.Commands'",
      line: 5,
      column: 5,
    });
  });

  it("refuses an unknown property inside a nested task, naming its path and line", () => {
    const src = wrap(`  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
${logLeaf("a", "      ")}      - id: b
        type: io.kestra.plugin.core.log.Log
        message: hi
        colour: red
`);
    const v = violationAt(src, "tasks[0].tasks[1].colour");
    expect(v).toMatchObject({ message: "Unknown property 'colour'", line: 13, column: 9 });
  });

  it("reports a missing required property at the task's line", () => {
    const v = violationAt(
      wrap(`${logLeaf("a", "  ")}  - id: b\n    type: io.kestra.plugin.core.log.Log\n`),
      "tasks[1].message",
    );
    expect(v).toMatchObject({ message: "Missing required property", line: 7, column: 5 });
  });

  it("refuses an invalid task id", () => {
    violationAt(wrap("  - id: a.b\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n"), "tasks[0].id");
  });

  it("accepts the common task properties", () => {
    const f = accept(
      one(`    type: io.kestra.plugin.core.debug.Return
    format: x
    description: d
    retry: { type: constant, interval: PT1S, maxAttempts: 2 }
    timeout: PT5M
    disabled: false
    logLevel: DEBUG
    logToFile: true
    allowFailure: true
    allowWarning: true
    runIf: "{{ inputs.go }}"
`),
    );
    expect(f.tasks[0]?.retry).toEqual({ type: "constant", interval: "PT1S", maxAttempt: 2 });
  });
});

describe("properties Peregrine does not honour", () => {
  it("refuses a task's workerGroup at save, naming it, rather than ignoring it", () => {
    const v = violationAt(
      one("    type: io.kestra.plugin.core.log.Log\n    message: m\n    workerGroup: { key: gpu }\n"),
      "tasks[0].workerGroup",
    );
    expect(v.message).toMatch(/^workerGroup is not supported by Peregrine/);
  });
});

describe("type spellings", () => {
  const OLD: Array<[string, string]> = [
    ["io.kestra.core.tasks.log.Log", "log.Log"],
    ["io.kestra.core.tasks.debugs.Return", "debug.Return"],
    ["io.kestra.core.tasks.debugs.Echo", "debug.Echo"],
    ["io.kestra.core.tasks.outputs.OutputValues", "output.OutputValues"],
    ["io.kestra.core.tasks.executions.Fail", "execution.Fail"],
    ["io.kestra.core.tasks.executions.Labels", "execution.Labels"],
    ["io.kestra.core.tasks.flows.Sequential", "flow.Sequential"],
    ["io.kestra.core.tasks.flows.EachSequential", "flow.EachSequential"],
    ["io.kestra.core.tasks.flows.Flow", "flow.Subflow"],
    ["io.kestra.core.tasks.flows.Subflow", "flow.Subflow"],
    ["io.kestra.core.tasks.flows.Worker", "flow.WorkingDirectory"],
    ["io.kestra.core.tasks.flows.Pause", "flow.Pause"],
    ["io.kestra.core.tasks.storages.PurgeExecution", "storage.PurgeCurrentExecutionFiles"],
    ["io.kestra.core.tasks.storages.Concat", "storage.Concat"],
    ["io.kestra.core.tasks.templating.TemplatedTask", "templating.TemplatedTask"],
    ["io.kestra.plugin.fs.http.Request", "http.Request"],
    ["io.kestra.plugin.core.log.Log", "log.Log"],
  ];
  for (const [old, now] of OLD) {
    it(`maps ${old} to ${P}${now}`, () => {
      expect(canonicalType(old)).toBe(`${P}${now}`);
    });
  }

  it("stores canonical types for every nested task, whatever the source spelled", () => {
    const f = accept(
      wrap(`  - id: sw
    type: io.kestra.core.tasks.flows.Switch
    value: a
    cases:
      a:
        - id: l1
          type: io.kestra.core.tasks.log.Log
          message: x
    defaults:
      - id: r1
        type: io.kestra.core.tasks.debugs.Return
        format: x
  - id: dag
    type: io.kestra.core.tasks.flows.Dag
    tasks:
      - task: { id: d1, type: io.kestra.core.tasks.debugs.Return, format: x }
      - task: { id: d2, type: io.kestra.core.tasks.log.Log, message: x }
        dependsOn: [d1]
  - id: cond
    type: io.kestra.core.tasks.flows.If
    condition: "{{ true }}"
    then:
      - { id: th, type: io.kestra.core.tasks.log.Log, message: x }
    else:
      - { id: el, type: io.kestra.core.tasks.log.Log, message: x }
`),
    );
    const types = allTasks(f).map(({ task }) => task.type);
    expect(types.every((t) => t.startsWith(P))).toBe(true);
    expect(allTasks(f).map(({ task }) => task.id)).toEqual(["sw", "l1", "r1", "dag", "d1", "d2", "cond", "th", "el"]);
  });
});

describe("templated and typed properties", () => {
  const each = (extra: string) =>
    one(`    type: io.kestra.plugin.core.flow.ForEach\n${extra}    tasks:\n${logLeaf("c", "      ")}`);

  it("accepts a templated number and a JSON-array string", () => {
    const f = accept(each('    values: "{{ inputs.list }}"\n    concurrencyLimit: "{{ inputs.n }}"\n'));
    expect(f.tasks[0]?.concurrencyLimit).toBe("{{ inputs.n }}");
  });

  it("refuses a non-numeric string where a number is expected", () => {
    violationAt(each("    values: [1]\n    concurrencyLimit: lots\n"), "tasks[0].concurrencyLimit");
  });

  it("refuses a map as ForEach values", () => {
    violationAt(each("    values: { a: 1 }\n"), "tasks[0].values");
  });

  it("accepts Pause delay, pauseDuration, behavior and onResume inputs", () => {
    const f = accept(
      one(`    type: io.kestra.plugin.core.flow.Pause
    pauseDuration: "{{ inputs.wait }}"
    behavior: WARN
    onResume:
      - id: ok
        type: BOOLEAN
`),
    );
    expect(f.tasks[0]?.onResume).toEqual([{ id: "ok", type: "BOOLEAN" }]);
  });

  it("refuses a Pause delay that is not a duration", () => {
    violationAt(one("    type: io.kestra.plugin.core.flow.Pause\n    delay: 5 minutes\n"), "tasks[0].delay");
  });

  it("accepts Subflow inputs as a map and labels as a list", () => {
    const f = accept(
      one(`    type: io.kestra.plugin.core.flow.Subflow
    namespace: dev
    flowId: child
    inputs: { a: "{{ inputs.a }}", n: 1 }
    labels: [{ key: k, value: v }]
    wait: "{{ inputs.wait }}"
    transmitFailed: false
`),
    );
    expect(f.tasks[0]?.labels).toEqual({ k: "v" });
  });

  it("refuses Subflow inputs given as a list", () => {
    violationAt(
      one("    type: io.kestra.plugin.core.flow.Subflow\n    namespace: dev\n    flowId: c\n    inputs: [a]\n"),
      "tasks[0].inputs",
    );
  });

  it("locates a violation under a Switch case whose YAML key is a number", () => {
    const src = one(`    type: io.kestra.plugin.core.flow.Switch
    value: "{{ inputs.n }}"
    cases:
      1:
        - { id: one, type: io.kestra.plugin.core.log.Log }
`);
    expect(violationAt(src, 'tasks[0].cases["1"][0].message').line).toBe(9);
  });

  it("refuses an unknown property in a Dag entry", () => {
    violationAt(
      one(`    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task: { id: d1, type: io.kestra.plugin.core.log.Log, message: x }
        after: [x]
`),
      "tasks[0].tasks[0].after",
    );
  });
});

describe("pluginDefaults", () => {
  const defaults = `pluginDefaults:
  - type: io.kestra.plugin.core.log.Log
    values: { message: from defaults, level: WARN }
`;

  it("lets defaults supply a required property without copying it into the model", () => {
    const f = accept(wrap("  - id: a\n    type: io.kestra.plugin.core.log.Log\n", defaults));
    expect(f.tasks[0]).toEqual({ id: "a", type: `${P}log.Log` });
    expect(applyPluginDefaults(f.tasks[0] as Task, f)).toEqual({
      id: "a",
      type: `${P}log.Log`,
      message: "from defaults",
      level: "WARN",
    });
  });

  it("still refuses a task whose required property neither it nor any default has", () => {
    violationAt(wrap("  - id: a\n    type: io.kestra.plugin.core.debug.Echo\n", defaults), "tasks[0].format");
  });

  it("validates the values a default supplies", () => {
    const bad = "pluginDefaults:\n  - type: io.kestra.plugin.core.log.Log\n    values: { message: 3 }\n";
    violationAt(wrap("  - id: a\n    type: io.kestra.plugin.core.log.Log\n", bad), "tasks[0].message");
  });

  const flowWith = (pluginDefaults: Array<{ type: string; forced?: boolean; values: Record<string, unknown> }>) => ({
    pluginDefaults,
  });
  const task: Task = { id: "a", type: `${P}log.Log`, message: "mine", headers: { a: "1" } };

  it("keeps the task's own values over plain defaults, merging maps", () => {
    const merged = applyPluginDefaults(
      task,
      flowWith([{ type: `${P}log.Log`, values: { message: "default", level: "WARN", headers: { b: "2" } } }]),
    );
    expect(merged).toEqual({ ...task, level: "WARN", headers: { a: "1", b: "2" } });
  });

  it("lets forced defaults override the task's values", () => {
    const merged = applyPluginDefaults(
      task,
      flowWith([{ type: `${P}log.Log`, forced: true, values: { message: "forced" } }]),
    );
    expect(merged.message).toBe("forced");
  });

  it("matches by package prefix and by old type names, never changing id or type", () => {
    const byPrefix = applyPluginDefaults(
      task,
      flowWith([{ type: "io.kestra.plugin.core", values: { level: "ERROR" } }]),
    );
    expect(byPrefix.level).toBe("ERROR");
    const byAlias = applyPluginDefaults(
      task,
      flowWith([{ type: "io.kestra.core.tasks.log.Log", values: { level: "DEBUG" } }]),
    );
    expect(byAlias.level).toBe("DEBUG");
    const forced = applyPluginDefaults(
      task,
      flowWith([{ type: `${P}log.Log`, forced: true, values: { id: "x", type: "y" } }]),
    );
    expect([forced.id, forced.type]).toEqual(["a", `${P}log.Log`]);
  });

  it("ignores defaults for other types and partial package names", () => {
    const merged = applyPluginDefaults(
      task,
      flowWith([
        { type: `${P}debug.Return`, values: { level: "ERROR" } },
        { type: "io.kestra.plugin.co", values: { level: "ERROR" } },
      ]),
    );
    expect(merged).toBe(task);
  });
});
