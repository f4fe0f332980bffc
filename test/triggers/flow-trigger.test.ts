// Flow triggers end to end: a chain A → B → C with the upstream's variables and outputs, a
// condition that does not match, preconditions over two upstream flows, tenant isolation, and a
// redelivered end that fires nothing more.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { executionStub } from "../../worker/execution/object";
import { triggersStub } from "../../worker/triggers/object";
import { runFlow, saveFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ended executions of a flow, polled from the index (downstream executions start asynchronously). */
async function endedOf(t: TestTenant, flowId: string, expected: number, ns = "chain"): Promise<ExecutionJson[]> {
  let ids: string[] = [];
  for (let i = 0; i < 60; i++) {
    const res = await t.fetch(`executions/search?namespace=${ns}&flowId=${flowId}&size=100`);
    ids = ((await res.json()) as { results: { id: string }[] }).results.map((r) => r.id);
    if (ids.length === expected && (expected > 0 || i >= 10)) break;
    await sleep(100);
  }
  const out: ExecutionJson[] = [];
  for (const id of ids) {
    const json = await executionStub(env, t.tenantId, id).waitForEnd(10_000);
    if (json) out.push(json);
  }
  return out;
}

const A = `
id: a
namespace: chain
tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: from-a
outputs:
  - id: word
    type: STRING
    value: "{{ outputs.ret.value }}"
`;

const B = `
id: b
namespace: chain
inputs:
  - id: word
    type: STRING
tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.word }}+b"
outputs:
  - id: word
    type: STRING
    value: "{{ outputs.ret.value }}"
triggers:
  - id: after_a
    type: io.kestra.plugin.core.trigger.Flow
    inputs:
      word: "{{ trigger.outputs.word }}"
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: chain
        flowId: a
      - type: io.kestra.plugin.core.condition.ExecutionStatus
        in: [SUCCESS]
`;

const C = `
id: c
namespace: chain
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.executionId }} {{ trigger.flowId }}"
triggers:
  - id: after_b
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: b_done
      flows:
        - namespace: chain
          flowId: b
          states: [SUCCESS]
`;

const NEVER = `
id: never
namespace: chain
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: never
triggers:
  - id: on_failure_of_a
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: chain
        flowId: a
      - type: io.kestra.plugin.core.condition.ExecutionStatus
        in: [FAILED]
`;

describe("flow trigger", () => {
  it("chains A → B → C with the upstream's variables and outputs; a non-matching condition starts nothing", async () => {
    const t = await createTenant();
    for (const f of [A, B, C, NEVER]) await saveFlow(t, f);
    const a = await runFlow(t, "chain", "a");
    expect(a.state.current).toBe("SUCCESS");
    const [b] = await endedOf(t, "b", 1);
    expect(b?.state.current).toBe("SUCCESS");
    expect(b?.trigger).toEqual({
      id: "after_a",
      type: "io.kestra.plugin.core.trigger.Flow",
      variables: {
        executionId: a.id,
        namespace: "chain",
        flowId: "a",
        flowRevision: 1,
        state: "SUCCESS",
        outputs: { word: "from-a" },
      },
    });
    expect(b?.inputs).toEqual({ word: "from-a" });
    expect(b?.outputs).toEqual({ word: "from-a+b" });
    const [c] = await endedOf(t, "c", 1);
    expect(c?.trigger?.variables).toMatchObject({ executionId: b?.id, flowId: "b", state: "SUCCESS" });
    expect(await endedOf(t, "never", 0)).toHaveLength(0);
  }, 60_000);

  it("fires once per upstream end, even when the end is delivered again", async () => {
    const t = await createTenant();
    for (const f of [A, B]) await saveFlow(t, f);
    const a = await runFlow(t, "chain", "a");
    await endedOf(t, "b", 1);
    const upstream = {
      id: a.id,
      namespace: "chain",
      flowId: "a",
      flowRevision: 1,
      state: "SUCCESS",
      outputs: { word: "from-a" },
      labels: a.labels,
      // The end notice names its place in the state histories; a redelivery names the same.
      transition: a.state.histories.length,
    };
    expect(await triggersStub(env, t.tenantId).executionEnded(t.tenantId, upstream)).toBe(0);
    await sleep(300);
    expect(await endedOf(t, "b", 1)).toHaveLength(1);
  }, 60_000);

  it("waits for every precondition within the window, then resets", async () => {
    const t = await createTenant();
    const x = A.replace("id: a", "id: x");
    const y = A.replace("id: a", "id: y");
    const both = `
id: both
namespace: chain
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.flowId }}"
triggers:
  - id: x_and_y
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: xy
      timeWindow:
        type: DURATION_WINDOW
        window: PT1H
      flows:
        - namespace: chain
          flowId: x
          states: [SUCCESS]
        - namespace: chain
          flowId: y
          states: [SUCCESS]
`;
    for (const f of [x, y, both]) await saveFlow(t, f);
    await runFlow(t, "chain", "x");
    await runFlow(t, "chain", "x");
    expect(await endedOf(t, "both", 0)).toHaveLength(0);
    await runFlow(t, "chain", "y");
    const [fired] = await endedOf(t, "both", 1);
    expect(fired?.trigger?.variables).toMatchObject({ flowId: "y" });
    // Reset on success: y alone is not enough again.
    await runFlow(t, "chain", "y");
    await sleep(500);
    expect(await endedOf(t, "both", 1)).toHaveLength(1);
  }, 60_000);

  it("never fires a trigger of one tenant on another tenant's executions", async () => {
    const one = await createTenant();
    const two = await createTenant();
    await saveFlow(one, A);
    await saveFlow(two, A);
    await saveFlow(two, B);
    await runFlow(one, "chain", "a");
    expect(await endedOf(two, "b", 0)).toHaveLength(0);
    await runFlow(two, "chain", "a");
    expect(await endedOf(two, "b", 1)).toHaveLength(1);
  }, 60_000);
});
