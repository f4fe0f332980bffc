// secret() in the properties of Subflow and ForEachItem, which start other executions: the value
// reaches the child as it is, yet it is masked wherever it would be shown: the child's inputs
// (sealed in the child even though it declares a STRING), its labels, logs and outputs, the
// parent's task runs, the search index and every object's SQLite. And a ForEachItem's failure
// message is masked like any task's error when it quotes such a value.
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { logsOf, runFlow, saveFlow, settled } from "../helpers/executions";
import { everyD1Cell, everyDurableObjectCell, indexNow } from "../helpers/leaks";
import { createTenant, type TestTenant } from "../helpers/tenant";

const P = "io.kestra.plugin.core";
const PASS = "subflow-secret-91d2e6b4";

async function putSecret(t: TestTenant, key: string, value: string): Promise<void> {
  const res = await t.fetch(`namespaces/qa/secrets/${key}`, { method: "PUT", body: value });
  expect(res.status).toBe(204);
}

const receiver = `id: receiver
namespace: qa.sub
inputs:
  - id: token
    type: STRING
  - id: file
    type: FILE
    required: false
tasks:
  - id: got
    type: ${P}.log.Log
    message: "got {{ inputs.token }} len={{ inputs.token | length }}"
outputs:
  - id: echoed
    type: STRING
    value: "echo {{ inputs.token }}"
`;

const caller = `id: caller
namespace: qa
inputs:
  - id: file
    type: FILE
tasks:
  - id: call
    type: ${P}.flow.Subflow
    namespace: qa.sub
    flowId: receiver
    inputs:
      token: "{{ secret('PASS') }}"
    labels:
      tag: "{{ secret('PASS') }}"
  - id: each
    type: ${P}.flow.ForEachItem
    items: "{{ inputs.file }}"
    batch:
      rows: 1
    namespace: qa.sub
    flowId: receiver
    inputs:
      token: "{{ secret('PASS') }}"
      file: "{{ taskrun.items }}"
`;

function upload(content: string): { body: FormData } {
  const form = new FormData();
  form.set("file", new File([content], "file"));
  return { body: form };
}

async function receivers(t: TestTenant, count: number): Promise<ExecutionJson[]> {
  for (let i = 0; i < 200; i++) {
    const res = await t.fetch("executions/search?flowId=receiver&size=10");
    const found = ((await res.json()) as { results: ExecutionJson[] }).results;
    if (found.length >= count)
      return Promise.all(found.map((k) => settled(t, k.id, (e) => e.state.current === "SUCCESS")));
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`fewer than ${count} receiver executions`);
}

describe("secret() in Subflow and ForEachItem properties", () => {
  it("passes the value to the children, masked in their inputs, labels, logs and outputs, in responses, D1 and SQLite", async () => {
    const t = await createTenant();
    await putSecret(t, "PASS", PASS);
    await saveFlow(t, receiver);
    await saveFlow(t, caller);
    const ex = await runFlow(t, "qa", "caller", upload("a\nb\n"));
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.taskRunList.find((r) => r.taskId === "call")?.outputs).toMatchObject({
      outputs: { echoed: "echo ******" },
    });

    const kids = await receivers(t, 3);
    expect(kids).toHaveLength(3);
    for (const kid of kids) {
      expect(kid.inputs?.token).toBe("******");
      expect(kid.outputs).toEqual({ echoed: "echo ******" });
      // The length proves the child received the plaintext.
      expect((await logsOf(t, kid.id)).map((l) => l.message)).toContain(`got ****** len=${PASS.length}`);
    }
    const called = kids.find((k) => k.trigger?.type === `${P}.flow.Subflow`);
    expect(called?.labels).toContainEqual({ key: "tag", value: "******" });

    const responses = [
      JSON.stringify(ex),
      ...(await Promise.all(kids.map(async (k) => (await t.fetch(`executions/${k.id}`)).text()))),
      await (await t.fetch("executions/search?namespace=qa")).text(),
      await (await t.fetch("taskruns/search?namespace=qa")).text(),
    ];
    for (const id of [ex.id, ...kids.map((k) => k.id)]) await indexNow(t, id);
    const stored = [
      ...(await everyD1Cell()).values(),
      ...(await Promise.all([ex.id, ...kids.map((k) => k.id)].map((id) => everyDurableObjectCell(t, id)))),
    ];
    for (const haystack of [...responses, ...stored]) expect(haystack.includes(PASS)).toBe(false);
  });
});

const counter = `id: counter
namespace: qa.sub
inputs:
  - id: n
    type: INT
tasks:
  - id: noop
    type: ${P}.log.Log
    message: "{{ inputs.n }}"
`;

const failing = `id: failing
namespace: qa
inputs:
  - id: pw
    type: SECRET
  - id: file
    type: FILE
  - id: bad
    type: BOOLEAN
tasks:
  - id: each
    type: ${P}.flow.ForEachItem
    items: "{{ inputs.bad ? inputs.pw : inputs.file }}"
    batch:
      rows: 1
    namespace: qa.sub
    flowId: counter
    inputs:
      n: "{{ secret('PASS') }}"
`;

describe("ForEachItem failures", () => {
  it("mask a secret their message quotes, in _split (a SECRET input as items) and _items (a secret() as a batch input)", async () => {
    const t = await createTenant();
    await putSecret(t, "PASS", PASS);
    await saveFlow(t, counter);
    await saveFlow(t, failing);
    const PW = "items-secret-0c5a7e";
    const start = async (bad: boolean) => {
      const form = new FormData();
      form.set("pw", PW);
      form.set("bad", String(bad));
      form.set("file", new File(["a\n"], "file"));
      return runFlow(t, "qa", "failing", { body: form });
    };
    const split = await start(true);
    const items = await start(false);
    const errors = async (ex: ExecutionJson) =>
      (await logsOf(t, ex.id)).filter((l) => l.level === "ERROR").map((l) => l.message);

    expect(split.state.current).toBe("FAILED");
    expect(split.taskRunList.find((r) => r.taskId === "each_split")?.state.current).toBe("FAILED");
    expect(await errors(split)).toContain("ForEachItem 'items' must be a kestra:// URI, got '******'");
    expect(items.state.current).toBe("FAILED");
    expect(items.taskRunList.find((r) => r.taskId === "each_items")?.state.current).toBe("FAILED");
    expect(await errors(items)).toContain("Invalid inputs for the subflow: n: expected an integer, got '******'");

    for (const ex of [split, items]) await indexNow(t, ex.id);
    const haystacks = [
      JSON.stringify(await errors(split)),
      JSON.stringify(await errors(items)),
      ...(await everyD1Cell()).values(),
      await everyDurableObjectCell(t, split.id),
      await everyDurableObjectCell(t, items.id),
    ];
    for (const haystack of haystacks) {
      expect(haystack.includes(PW)).toBe(false);
      expect(haystack.includes(PASS)).toBe(false);
    }
  });
});
