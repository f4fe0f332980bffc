import { describe, expect, it } from "vitest";
import { accept, reject, violationAt } from "./helpers";

const log = "  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";
const flow = (extra: string, head = "id: f\nnamespace: dev\n") => `${head}${extra}tasks:\n${log}`;

describe("flow top-level keys", () => {
  it("accepts every documented top-level key", () => {
    const f = accept(
      flow(`description: all keys
labels:
  env: prod
  system.readOnly: "true"
inputs:
  - id: s
    type: STRING
outputs:
  - id: o
    type: STRING
    value: "{{ outputs.t }}"
variables:
  v: "{{ inputs.s }}"
errors:
  - id: e
    type: io.kestra.plugin.core.log.Log
    message: err
finally:
  - id: fin
    type: io.kestra.plugin.core.log.Log
    message: fin
afterExecution:
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: after
triggers:
  - id: sched
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
pluginDefaults:
  - type: io.kestra.plugin.core.log.Log
    values: { level: WARN }
concurrency:
  limit: 2
retry:
  type: constant
  interval: PT1S
  maxAttempt: 3
disabled: false
revision: 4
deleted: false
`),
    );
    expect(f.variables).toEqual({ v: "{{ inputs.s }}" });
    expect(f.concurrency).toEqual({ limit: 2, behavior: "QUEUE" });
    expect(f.errors?.[0]?.id).toBe("e");
    expect(f.finally?.[0]?.id).toBe("fin");
    expect(f.afterExecution?.[0]?.id).toBe("after");
    expect("revision" in f).toBe(false);
  });

  it("refuses sla, listeners and checks by name at their line, rather than accepting and ignoring them", () => {
    const base = "id: f\nnamespace: dev\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: m\n";
    const cases: Array<[string, string, RegExp]> = [
      [
        "sla",
        "sla:\n  - id: s\n    type: MAX_DURATION\n    behavior: FAIL\n    duration: PT1H\n",
        /sla is not supported/,
      ],
      ["listeners", "listeners:\n  - tasks: []\n", /listeners .* are not supported/],
      ["checks", 'checks:\n  - condition: "{{ true }}"\n    message: ok\n', /checks are not supported/],
    ];
    for (const [key, yaml, message] of cases) {
      const v = reject(base + yaml).find((x) => x.path === key);
      expect(v, key).toMatchObject({ message: expect.stringMatching(message), line: 7 });
    }
  });

  it("requires id, namespace and tasks", () => {
    const violations = reject("description: nothing else\n");
    expect(violations.map((v) => v.path).sort()).toEqual(["id", "namespace", "tasks"]);
    expect(violations[0]).toMatchObject({ message: "Missing required property", line: 1, column: 1 });
  });

  it("refuses an empty task list", () => {
    expect(violationAt("id: f\nnamespace: dev\ntasks: []\n", "tasks").line).toBe(3);
  });

  it("refuses a flow id that does not match the pattern", () => {
    expect(violationAt(flow("", "id: -bad\nnamespace: dev\n"), "id")).toMatchObject({ line: 1, column: 1 });
  });

  it("refuses a flow id longer than 100 characters", () => {
    violationAt(flow("", `id: ${"a".repeat(101)}\nnamespace: dev\n`), "id");
  });

  it("refuses an upper-case namespace", () => {
    expect(violationAt(flow("", "id: f\nnamespace: Dev\n"), "namespace").line).toBe(2);
  });

  it("refuses a namespace longer than 150 characters", () => {
    violationAt(flow("", `id: f\nnamespace: ${"a".repeat(151)}\n`), "namespace");
  });

  it("refuses an unknown top-level property at its line", () => {
    const v = violationAt(flow("colour: blue\n"), "colour");
    expect(v).toMatchObject({ message: "Unknown property 'colour'", line: 3, column: 1 });
  });

  it("refuses tenantId in the source", () => {
    expect(violationAt(flow("tenantId: other\n"), "tenantId").line).toBe(3);
  });

  it("refuses a concurrency limit of 0 and an unknown behavior", () => {
    violationAt(flow("concurrency:\n  limit: 0\n"), "concurrency.limit");
    violationAt(flow("concurrency:\n  limit: 1\n  behavior: DROP\n"), "concurrency.behavior");
  });

  it("folds the deprecated taskDefaults into pluginDefaults with canonical types", () => {
    const f = accept(
      flow(`pluginDefaults:
  - type: io.kestra.plugin.core.log.Log
    values: { level: WARN }
taskDefaults:
  - type: io.kestra.core.tasks.debugs.Return
    forced: true
    values: { format: x }
`),
    );
    expect(f.pluginDefaults).toEqual([
      { type: "io.kestra.plugin.core.log.Log", values: { level: "WARN" } },
      { type: "io.kestra.plugin.core.debug.Return", forced: true, values: { format: "x" } },
    ]);
    expect("taskDefaults" in f).toBe(false);
  });
});

describe("explicit YAML null", () => {
  it("an optional property written as null is read as left out, on the flow, a task, an input and a trigger", () => {
    const f = accept(`id: f
namespace: dev
description: null
labels: null
errors: null
inputs:
  - id: s
    type: STRING
    defaults: null
    description: null
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: k1234567
    conditions: null
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
    level: null
    timeout: null
  - id: sw
    type: io.kestra.plugin.core.flow.Switch
    value: x
    cases:
      a:
        - id: a
          type: io.kestra.plugin.core.log.Log
          message: a
    defaults: null
`);
    expect(f.description).toBeUndefined();
    expect(f.errors).toBeUndefined();
    expect(f.inputs?.[0]).toEqual({ id: "s", type: "STRING" });
    expect("level" in (f.tasks[0] ?? {})).toBe(false);
    expect("defaults" in (f.tasks[1] ?? {})).toBe(false);
  });

  it("a required property written as null is still missing", () => {
    expect(violationAt(flow("", "id: f\nnamespace: null\n"), "namespace").message).toMatch(/required|expected/i);
    const v = reject(
      "id: f\nnamespace: dev\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: null\n",
    );
    expect(v.map((x) => x.path)).toContain("tasks[0].message");
  });

  it("null values inside a map of values are kept", () => {
    const f = accept(
      "id: f\nnamespace: dev\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.output.OutputValues\n    values:\n      a: null\n",
    );
    expect(f.tasks[0]?.values).toEqual({ a: null });
  });
});

describe("violation list", () => {
  it("lists violations in source order and stops after 100", () => {
    const task = (i: number) =>
      `  - id: t${i}\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    bogus: ${i}\n`;
    const violations = reject(
      `id: f\nnamespace: dev\ntasks:\n${Array.from({ length: 150 }, (_, i) => task(i)).join("")}`,
    );
    expect(violations).toHaveLength(101);
    expect(violations[0]).toMatchObject({ path: "tasks[0].bogus", line: 7 });
    expect(violations[99]?.path).toBe("tasks[99].bogus");
    expect(violations[100]?.message).toMatch(/only the first 100/);
  });
});

describe("labels", () => {
  it("normalises a map of labels, stringifying scalar values", () => {
    expect(accept(flow("labels:\n  team: data\n  tier: 1\n")).labels).toEqual({ team: "data", tier: "1" });
  });

  it("normalises a list of {key, value} into the same map", () => {
    const f = accept(flow("labels:\n  - key: team\n    value: data\n  - key: tier\n    value: 1\n"));
    expect(f.labels).toEqual({ team: "data", tier: "1" });
  });

  it("refuses system labels other than system.readOnly, in either form", () => {
    expect(violationAt(flow("labels:\n  system.correlationId: x\n"), 'labels["system.correlationId"]').line).toBe(4);
    expect(violationAt(flow("labels:\n  - key: system.x\n    value: y\n"), "labels[0].key").line).toBe(4);
  });

  it("refuses a label list entry with an unknown property", () => {
    violationAt(flow("labels:\n  - key: a\n    value: b\n    extra: c\n"), "labels[0].extra");
  });
});

describe("flow retry", () => {
  const retry = (body: string) => flow(`retry:\n${body}`);

  it("accepts maxAttempt (0.21 spelling)", () => {
    expect(accept(retry("  type: constant\n  interval: PT1S\n  maxAttempt: 3\n")).retry?.maxAttempt).toBe(3);
  });

  it("folds maxAttempts (newer spelling) into maxAttempt", () => {
    const r = accept(retry("  type: constant\n  interval: PT1S\n  maxAttempts: 4\n")).retry;
    expect(r).toEqual({ type: "constant", interval: "PT1S", maxAttempt: 4 });
  });

  it("refuses maxAttempt and maxAttempts that disagree", () => {
    violationAt(retry("  type: constant\n  interval: PT1S\n  maxAttempt: 2\n  maxAttempts: 3\n"), "retry.maxAttempts");
  });

  it("requires interval and maxInterval for exponential", () => {
    const v = violationAt(retry("  type: exponential\n  interval: PT1S\n"), "retry.maxInterval");
    expect(v).toMatchObject({ message: "Missing required property", line: 3 });
  });

  it("requires minInterval and maxInterval for random", () => {
    violationAt(retry("  type: random\n  maxInterval: PT1S\n"), "retry.minInterval");
  });

  it("refuses an unknown retry type and a malformed duration", () => {
    violationAt(retry("  type: linear\n  interval: PT1S\n"), "retry.type");
    expect(violationAt(retry("  type: constant\n  interval: 5 seconds\n"), "retry.interval").line).toBe(5);
  });

  it("accepts the behavior and warningOnRetry fields", () => {
    const r = accept(
      retry(
        "  type: random\n  minInterval: PT1S\n  maxInterval: PT2S\n  behavior: CREATE_NEW_EXECUTION\n  warningOnRetry: true\n",
      ),
    ).retry;
    expect(r?.behavior).toBe("CREATE_NEW_EXECUTION");
  });
});

describe("triggers", () => {
  const trig = (body: string) => flow(`triggers:\n${body}`);

  it("accepts Schedule, Flow and Webhook in old and new spellings, canonicalised", () => {
    const f = accept(
      trig(`  - id: a
    type: io.kestra.core.models.triggers.types.Schedule
    cron: "@daily"
    timezone: Europe/Paris
    recoverMissedSchedules: NONE
  - id: b
    type: io.kestra.plugin.core.trigger.Flow
    states: [SUCCESS, FAILED]
    conditions:
      - type: io.kestra.core.models.conditions.types.ExecutionFlowCondition
        namespace: dev
        flowId: up
    preconditions:
      id: p
      flows:
        - namespace: dev
          flowId: up
          states: [SUCCESS]
  - id: c
    type: io.kestra.plugin.core.trigger.Webhook
    key: "{{ secret('k') }}"
  - id: d
    type: io.kestra.core.models.triggers.types.Flow
`),
    );
    expect(f.triggers?.map((t) => t.type)).toEqual([
      "io.kestra.plugin.core.trigger.Schedule",
      "io.kestra.plugin.core.trigger.Flow",
      "io.kestra.plugin.core.trigger.Webhook",
      "io.kestra.plugin.core.trigger.Flow",
    ]);
    expect(f.triggers?.[1]?.conditions?.[0]?.type).toBe("io.kestra.plugin.core.condition.ExecutionFlowCondition");
  });

  it("requires a Schedule cron and a Webhook key", () => {
    violationAt(trig("  - id: a\n    type: io.kestra.plugin.core.trigger.Schedule\n"), "triggers[0].cron");
    violationAt(trig("  - id: a\n    type: io.kestra.plugin.core.trigger.Webhook\n"), "triggers[0].key");
  });

  it("refuses a Webhook key over 256 characters", () => {
    violationAt(
      trig(`  - id: a\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: ${"k".repeat(257)}\n`),
      "triggers[0].key",
    );
  });

  it("refuses an unknown trigger type and unknown trigger properties", () => {
    const v = violationAt(trig("  - id: a\n    type: io.kestra.plugin.core.trigger.Poll\n"), "triggers[0].type");
    expect(v).toMatchObject({ message: "Unknown trigger type 'io.kestra.plugin.core.trigger.Poll'", line: 5 });
    violationAt(
      trig("  - id: a\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k1234567\n    cron: x\n"),
      "triggers[0].cron",
    );
  });
});
