// Flow triggers as Kestra documents them beyond the plain chain: `states` listing non-terminal
// states (RUNNING, PAUSED) fires on each such transition, not only at the end; rendered inputs
// that do not fit the listener's declarations still start its execution; preconditions `where`
// filters; and the execution conditions (namespace, labels, outputs, Or/Not).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { executionStub } from "../../worker/execution/object";
import { triggersStub } from "../../worker/triggers/object";
import { runFlow, saveFlow, settled, startFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Executions of a flow, polled from the index until `expected` show up (then read when ended). */
async function executionsOf(t: TestTenant, ns: string, flowId: string, expected: number): Promise<ExecutionJson[]> {
  let ids: string[] = [];
  for (let i = 0; i < 80; i++) {
    const res = await t.fetch(`executions/search?namespace=${ns}&flowId=${flowId}&size=100`);
    ids = ((await res.json()) as { results: { id: string }[] }).results.map((r) => r.id);
    if (ids.length >= expected && (expected > 0 || i >= 10)) break;
    await sleep(100);
  }
  const out: ExecutionJson[] = [];
  for (const id of ids) {
    const json = await executionStub(env, t.tenantId, id).waitForEnd(10_000);
    if (json) out.push(json);
  }
  return out;
}

const PAUSING = `
id: pausing
namespace: states
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: done
`;

const LISTENER = `
id: listener
namespace: states
tasks:
  - id: seen
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.state }}"
triggers:
  - id: on_states
    type: io.kestra.plugin.core.trigger.Flow
    states: [RUNNING, PAUSED]
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: states
        flowId: pausing
`;

describe("Flow trigger states", () => {
  it("fires on each RUNNING and PAUSED transition it lists (again after a resume), and not at the end", async () => {
    const t = await createTenant();
    await saveFlow(t, PAUSING);
    await saveFlow(t, LISTENER);
    const started = await startFlow(t, "states", "pausing");
    await settled(t, started.id, (ex) => ex.state.current === "PAUSED");
    const beforeResume = await executionsOf(t, "states", "listener", 2);
    expect(beforeResume.map((e) => e.trigger?.variables?.state).sort()).toEqual(["PAUSED", "RUNNING"]);

    const resumed = await t.fetch(`executions/${started.id}/resume`, { method: "POST" });
    expect(resumed.status).toBe(204);
    await settled(t, started.id, (ex) => ex.state.current === "SUCCESS");
    const all = await executionsOf(t, "states", "listener", 3);
    expect(all.map((e) => e.trigger?.variables?.state).sort()).toEqual(["PAUSED", "RUNNING", "RUNNING"]);
    for (const e of all) {
      expect(e.state.current).toBe("SUCCESS");
      expect(e.trigger?.variables).toMatchObject({ executionId: started.id, namespace: "states", flowId: "pausing" });
    }
    // SUCCESS is not listed: nothing more comes of the end.
    await sleep(300);
    expect(await executionsOf(t, "states", "listener", 3)).toHaveLength(3);
  }, 60_000);

  it("keeps to terminal states when `states` is not set, whatever the non-terminal transitions", async () => {
    const t = await createTenant();
    await saveFlow(t, PAUSING);
    await saveFlow(t, LISTENER.replace("    states: [RUNNING, PAUSED]\n", ""));
    const started = await startFlow(t, "states", "pausing");
    await settled(t, started.id, (ex) => ex.state.current === "PAUSED");
    await sleep(300);
    expect(await executionsOf(t, "states", "listener", 0)).toHaveLength(0);
    await t.fetch(`executions/${started.id}/resume`, { method: "POST" });
    const [only, ...more] = await executionsOf(t, "states", "listener", 1);
    expect(more).toHaveLength(0);
    expect(only?.trigger?.variables?.state).toBe("SUCCESS");
  }, 60_000);
});

const UPSTREAM = `
id: up
namespace: inputs
labels:
  team: data
tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: not-a-number
outputs:
  - id: word
    type: STRING
    value: "{{ outputs.ret.value }}"
`;

describe("Flow trigger inputs", () => {
  it("starts the listener with its rendered inputs even when they do not fit its declared types", async () => {
    const t = await createTenant();
    const listener = `
id: typed
namespace: inputs
inputs:
  - id: count
    type: INT
  - id: origin
    type: STRING
tasks:
  - id: seen
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.count }} {{ inputs.origin }}"
triggers:
  - id: after_up
    type: io.kestra.plugin.core.trigger.Flow
    inputs:
      count: "{{ trigger.outputs.word }}"
      origin: "{{ trigger.namespace }}.{{ trigger.flowId }} {{ trigger.executionId }} {{ trigger.state }}"
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: inputs
        flowId: up
`;
    await saveFlow(t, UPSTREAM);
    await saveFlow(t, listener);
    const up = await runFlow(t, "inputs", "up");
    const [typed] = await executionsOf(t, "inputs", "typed", 1);
    expect(typed?.inputs).toEqual({ count: "not-a-number", origin: `inputs.up ${up.id} SUCCESS` });
    expect(typed?.taskRunList[0]?.outputs).toEqual({ value: `not-a-number inputs.up ${up.id} SUCCESS` });
  }, 60_000);
});

describe("Flow trigger inputs that do not render", () => {
  it("start the listener's execution FAILED, saying why, instead of dropping the firing", async () => {
    const t = await createTenant();
    await saveFlow(t, UPSTREAM);
    await saveFlow(
      t,
      `
id: unrenderable
namespace: inputs
inputs:
  - id: deep
    type: STRING
tasks:
  - id: never
    type: io.kestra.plugin.core.log.Log
    message: never
triggers:
  - id: after_up
    type: io.kestra.plugin.core.trigger.Flow
    inputs:
      deep: "{{ trigger.outputs.nothing.deeper }}"
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: inputs
        flowId: up
`,
    );
    await runFlow(t, "inputs", "up");
    const [failed] = await executionsOf(t, "inputs", "unrenderable", 1);
    expect(failed?.state.current).toBe("FAILED");
    expect(failed?.taskRunList).toHaveLength(0);
    const logs = (await (await t.fetch(`logs/${failed?.id}`)).json()) as { message: string }[];
    expect(logs.map((l) => l.message).join("\n")).toContain("Unable to render the Flow trigger's inputs");
  }, 60_000);
});

let seq = 0;

/** Delivers a made-up upstream end straight to the tenant's trigger object; returns its firings. */
function ended(
  t: TestTenant,
  upstream: { namespace: string; flowId: string; state?: string; labels?: Record<string, string> } & {
    outputs?: Record<string, unknown>;
  },
): Promise<number> {
  return triggersStub(env, t.tenantId).executionEnded(t.tenantId, {
    id: `made-up-${seq++}`,
    namespace: upstream.namespace,
    flowId: upstream.flowId,
    flowRevision: 1,
    state: upstream.state ?? "SUCCESS",
    outputs: upstream.outputs,
    labels: Object.entries(upstream.labels ?? {}).map(([key, value]) => ({ key, value })),
  });
}

const listenerWith = (id: string, trigger: string) => `
id: ${id}
namespace: cond
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.flowId }}"
triggers:
  - id: t
    type: io.kestra.plugin.core.trigger.Flow
${trigger}`;

describe("Flow trigger preconditions and conditions", () => {
  it("fires on preconditions `where` filters (AND, OR, EXPRESSION) only once every filter group is met", async () => {
    const t = await createTenant();
    await saveFlow(
      t,
      listenerWith(
        "where",
        `    preconditions:
      id: wh
      where:
        - id: prod_success
          filters:
            - field: NAMESPACE
              type: STARTS_WITH
              value: company.prod
            - field: STATE
              type: IN
              values: [SUCCESS, WARNING]
        - id: reporting
          operand: OR
          filters:
            - field: FLOW_ID
              type: EQUAL_TO
              value: report
            - field: EXPRESSION
              type: IS_TRUE
              value: "{{ trigger.outputs.ready ?? false }}"
`,
      ),
    );
    expect(await ended(t, { namespace: "company.prod.a", flowId: "x", state: "FAILED" })).toBe(0);
    expect(await ended(t, { namespace: "company.dev", flowId: "x" })).toBe(0);
    // Meets prod_success only: the group waits for `reporting`.
    expect(await ended(t, { namespace: "company.prod.a", flowId: "x" })).toBe(0);
    // Meets reporting through the EXPRESSION filter: both are now met, it fires.
    expect(await ended(t, { namespace: "other", flowId: "y", outputs: { ready: true } })).toBe(1);
    // Reset on success: `report` alone is not enough again; with a prod end it is.
    expect(await ended(t, { namespace: "other", flowId: "report" })).toBe(0);
    expect(await ended(t, { namespace: "company.prod", flowId: "z", state: "WARNING" })).toBe(1);
  });

  it("honours ExecutionNamespace (PREFIX), ExecutionLabels, ExecutionOutputs, Or and Not conditions", async () => {
    const t = await createTenant();
    await saveFlow(
      t,
      listenerWith(
        "conds",
        `    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionNamespace
        namespace: company
        comparison: PREFIX
      - type: io.kestra.plugin.core.condition.ExecutionLabels
        labels:
          team: data
      - type: io.kestra.plugin.core.condition.ExecutionOutputs
        expression: "{{ outputs.rows > 10 }}"
      - type: io.kestra.plugin.core.condition.Or
        conditions:
          - type: io.kestra.plugin.core.condition.ExecutionFlow
            namespace: company.a
            flowId: load
          - type: io.kestra.plugin.core.condition.ExecutionStatus
            in: [WARNING]
      - type: io.kestra.plugin.core.condition.Not
        conditions:
          - type: io.kestra.plugin.core.condition.ExecutionFlow
            namespace: company.b
            flowId: skip
`,
      ),
    );
    const base = { namespace: "company.a", flowId: "load", labels: { team: "data" }, outputs: { rows: 11 } };
    expect(await ended(t, base)).toBe(1);
    expect(await ended(t, { ...base, namespace: "elsewhere" })).toBe(0);
    expect(await ended(t, { ...base, labels: { team: "web" } })).toBe(0);
    expect(await ended(t, { ...base, outputs: { rows: 3 } })).toBe(0);
    expect(await ended(t, { ...base, outputs: undefined })).toBe(0);
    // Or: another flow passes only through its WARNING state.
    expect(await ended(t, { ...base, namespace: "company.b", flowId: "other" })).toBe(0);
    expect(await ended(t, { ...base, namespace: "company.b", flowId: "other", state: "WARNING" })).toBe(1);
    // Not: company.b.skip is refused even in WARNING.
    expect(await ended(t, { ...base, namespace: "company.b", flowId: "skip", state: "WARNING" })).toBe(0);
  });
});
