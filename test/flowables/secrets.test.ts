// secret() while flowables are resolved (ForEach values, Switch value, If condition, runIf): the
// values drive the flow as they are, yet the plaintext is masked wherever it would be kept or
// shown: task run values, Switch outputs, resolution errors, logs, the execution JSON and D1.
import { describe, expect, it } from "vitest";
import { logsOf, runFlow, saveFlow } from "../helpers/executions";
import { everyD1Cell, everyDurableObjectCell, indexNow } from "../helpers/leaks";
import { createTenant, type TestTenant } from "../helpers/tenant";

const P = "io.kestra.plugin.core";
const LOOP = "loop-secret-4f1e9a";
const SWITCH = "switch-secret-77c2";
const COND = "cond-secret-e0d3";

async function putSecret(t: TestTenant, key: string, value: string): Promise<void> {
  const res = await t.fetch(`namespaces/qa/secrets/${key}`, { method: "PUT", body: value });
  expect(res.status).toBe(204);
}

const flow = `id: flowable-secrets
namespace: qa
tasks:
  - id: each
    type: ${P}.flow.ForEach
    values: '["plain", "{{ secret(''LOOP'') }}"]'
    tasks:
      - id: inner
        type: ${P}.log.Log
        message: "value {{ taskrun.value }}"
  - id: pick
    type: ${P}.flow.Switch
    value: "{{ secret('SWITCH') }}"
    cases:
      other:
        - id: matched
          type: ${P}.log.Log
          message: matched
    defaults:
      - id: unmatched
        type: ${P}.log.Log
        message: unmatched
  - id: check
    type: ${P}.flow.If
    condition: "{{ secret('COND') }}"
    then:
      - id: yes
        type: ${P}.log.Log
        message: truthy
  - id: guarded
    type: ${P}.log.Log
    runIf: "{{ secret('COND') | length == ${COND.length} }}"
    message: ran
  - id: noCase
    type: ${P}.flow.Switch
    allowFailure: true
    value: "{{ secret('SWITCH') }}"
    cases:
      nothing:
        - id: never
          type: ${P}.log.Log
          message: never
  - id: badValues
    type: ${P}.flow.ForEach
    allowFailure: true
    values: "not json {{ secret('LOOP') }}"
    tasks:
      - id: neverEach
        type: ${P}.log.Log
        message: never
`;

describe("secret() in flowable properties", () => {
  it("drives ForEach, Switch, If and runIf with the value, and masks it in values, outputs, errors, logs and D1", async () => {
    const t = await createTenant();
    await putSecret(t, "LOOP", LOOP);
    await putSecret(t, "SWITCH", SWITCH);
    await putSecret(t, "COND", COND);
    await saveFlow(t, flow);
    const ex = await runFlow(t, "qa", "flowable-secrets");
    expect(ex.state.current).toBe("WARNING");
    const runs = (taskId: string) => ex.taskRunList.filter((r) => r.taskId === taskId);

    // Two iterations, the secret one masked in its value, and the value it renders.
    expect(runs("inner").map((r) => r.value)).toEqual(["plain", "******"]);
    const logs = await logsOf(t, ex.id);
    const messages = logs.map((l) => l.message);
    expect(messages).toEqual(expect.arrayContaining(["value plain", "value ******"]));
    // No case is the secret (a case key is in the flow's source): the defaults ran, the output shows the mask.
    expect(runs("matched")).toHaveLength(0);
    expect(runs("unmatched")).toHaveLength(1);
    expect(runs("pick")[0]?.outputs).toEqual({ value: "******", defaults: true });
    expect(runs("yes")).toHaveLength(1);
    expect(runs("guarded")[0]?.state.current).toBe("SUCCESS");
    // Errors of a resolution are logged masked.
    expect(runs("noCase")[0]?.state.current).toBe("WARNING");
    expect(messages).toContain("No task found for the Switch value '******' and no defaults");
    expect(runs("badValues")[0]?.state.current).toBe("WARNING");
    expect(messages).toContain("Unable to parse the ForEach values as a JSON array: not json ******");

    const responses = [
      JSON.stringify(ex),
      JSON.stringify(logs),
      await (await t.fetch(`executions/${ex.id}`)).text(),
      await (await t.fetch(`taskruns/search?namespace=qa`)).text(),
      await (await t.fetch(`logs/${ex.id}/download`)).text(),
    ];
    await indexNow(t, ex.id);
    const stored = [...(await everyD1Cell()).values(), await everyDurableObjectCell(t, ex.id)];
    for (const haystack of [...responses, ...stored]) {
      for (const secret of [LOOP, SWITCH, COND]) expect(haystack.includes(secret), secret).toBe(false);
    }
    const indexed = await (await t.fetch(`taskruns/search?namespace=qa&taskId=inner`)).text();
    expect(indexed).toContain("******");
  });
});
