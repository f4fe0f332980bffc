// ForEachItem end to end through the API (spec §5, issue 5 item 3): a FILE input split into
// batches, one subflow execution per batch, `_split`/`_items`/`_merge` outputs, failures, wait
// false and the kill cascade; plus the batch cutting on its own (rows, bytes, partitions).
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ExecutionDurableObject } from "../../worker/execution/durable-object";
import type { ExecutionJson } from "../../worker/execution/json";
import { batchSpec, cutBatches, parseDataSize } from "../../worker/tasks/foreach-item-split";
import { getExecution, runFlow, saveFlow, startFlow } from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

const lines = (n: number, width = 0) =>
  Array.from({ length: n }, (_, i) => `item-${String(i + 1).padStart(width, "0")}`).join("\n") + "\n";

function upload(content: string): { body: FormData } {
  const form = new FormData();
  form.set("file", new File([content], "file"));
  return { body: form };
}

async function settled(tenant: TestTenant, id: string, until: (ex: ExecutionJson) => boolean): Promise<ExecutionJson> {
  for (let i = 0; i < 300; i++) {
    const ex = await getExecution(tenant, id);
    if (until(ex)) return ex;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`execution ${id} never reached the expected state: ${(await getExecution(tenant, id)).state.current}`);
}

async function children(tenant: TestTenant, flowId: string): Promise<ExecutionJson[]> {
  const res = await tenant.fetch(`executions/search?flowId=${flowId}&size=500`);
  return ((await res.json()) as { results: ExecutionJson[] }).results;
}

async function download(tenant: TestTenant, executionId: string, uri: string): Promise<string> {
  const res = await tenant.fetch(`executions/${executionId}/file?path=${encodeURIComponent(uri)}`);
  expect(res.status).toBe(200);
  return res.text();
}

const run = (ex: ExecutionJson, taskId: string) => ex.taskRunList.find((r) => r.taskId === taskId);

/** The subflow of every batch: reports the batch file it got and its iteration. */
const batchFlow = `id: batch
namespace: qa.sub
inputs:
  - id: file
    type: FILE
  - id: n
    type: INT
tasks:
  - id: fail
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ inputs.n == 2 and labels.fail is defined }}"
  - id: echo
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.n }}"
outputs:
  - id: file
    type: STRING
    value: "{{ inputs.file }}"
  - id: iteration
    type: INT
    value: "{{ inputs.n }}"
`;

const parentFlow = (id: string, batch: string, extra = "") => `id: ${id}
namespace: qa
inputs:
  - id: file
    type: FILE
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.file }}"
    batch:
      ${batch}
    namespace: qa.sub
    flowId: batch
    inputs:
      file: "{{ taskrun.items }}"
      n: "{{ taskrun.iteration }}"
${extra}  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.each_items.numberOfBatches }} batches"
`;

/** The merged outputs file, one JSON object per batch in batch order. */
async function mergedOutputs(tenant: TestTenant, ex: ExecutionJson): Promise<Array<{ file: string; iteration: number }>> {
  const text = await download(tenant, ex.id, String(run(ex, "each_merge")!.outputs!.subflowOutputs));
  return text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

/** Every batch file, read the way its subflow execution may read it (its parent's files). */
async function batchFiles(tenant: TestTenant, merged: Array<{ file: string }>): Promise<string[]> {
  const byFile = new Map((await children(tenant, "batch")).map((k) => [String(k.inputs?.file), k.id]));
  return Promise.all(merged.map((m) => download(tenant, byFile.get(m.file)!, m.file)));
}

describe("ForEachItem", () => {
  it("splits 10,000 lines by rows of 100 into 100 subflow executions that all succeed, and merges their outputs", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, batchFlow);
    await saveFlow(tenant, parentFlow("rows", "rows: 100", "    labels:\n      key: value\n"));
    const content = lines(10_000);
    const started = Date.now();
    const ex = await runFlow(tenant, "qa", "rows", upload(content));
    console.info(`ForEachItem over 10,000 lines, rows 100 (100 subflows): ${Date.now() - started} ms`);
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.taskRunList.map((r) => r.taskId)).toEqual(["each", "each_split", "each_items", "each_merge", "after"]);
    expect(run(ex, "each_split")!.outputs).toMatchObject({ numberOfBatches: 100 });
    expect(run(ex, "each_items")!.outputs).toMatchObject({ numberOfBatches: 100, iterations: { SUCCESS: 100 } });
    const merged = await mergedOutputs(tenant, ex);
    expect(merged.map((o) => o.iteration)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const files = await batchFiles(tenant, merged);
    expect(files.every((f) => f.split("\n").length === 101)).toBe(true);
    expect(files.join("")).toBe(content);
    const kids = await children(tenant, "batch");
    expect(kids).toHaveLength(100);
    expect(kids.every((k) => k.state.current === "SUCCESS")).toBe(true);
    expect(kids[0]!.labels).toContainEqual({ key: "key", value: "value" });
    expect(kids[0]!.trigger).toMatchObject({
      type: "io.kestra.plugin.core.flow.ForEachItem",
      variables: { executionId: ex.id, flowId: "rows", namespace: "qa" },
    });
  });

  it("splits 10,000 lines into 4 partitions of 2,500 lines, one subflow each", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, batchFlow);
    await saveFlow(tenant, parentFlow("parts", "partitions: 4"));
    const content = lines(10_000, 5);
    const started = Date.now();
    const ex = await runFlow(tenant, "qa", "parts", upload(content));
    console.info(`ForEachItem over 10,000 lines, partitions 4: ${Date.now() - started} ms`);
    expect(ex.state.current).toBe("SUCCESS");
    expect(run(ex, "each_items")!.outputs).toMatchObject({ numberOfBatches: 4, iterations: { SUCCESS: 4 } });
    const files = await batchFiles(tenant, await mergedOutputs(tenant, ex));
    expect(files.map((f) => f.split("\n").length - 1)).toEqual([2500, 2500, 2500, 2500]);
    expect(files.join("")).toBe(content);
  });
});
